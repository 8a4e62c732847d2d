"""Yandex Maps organisation reviews."""
