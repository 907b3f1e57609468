"""Readers for the taxonomy and wage sources (O*NET, ESCO, BLS OEWS): pure, file in, frames out."""
