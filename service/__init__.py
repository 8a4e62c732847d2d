"""The read side: what the API, the reports, the CLI and the nightly run show — scores per
channel and office, their cache, trends — computed one way for all of them."""
