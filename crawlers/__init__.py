"""Fetching: Scrapy spiders for public pages, httpx clients for APIs, the loopback replay
server that tests and the demo point the real crawlers at."""
