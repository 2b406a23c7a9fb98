"""Engines that turn data sources into profiles (local: polars / Arrow streaming)."""
