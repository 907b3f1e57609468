"""Evidence curation:

read a person's evidence (resumes, notes, repos, publications, certificates), version it by content hash, link
it to skills with confidence, and keep a never-overwritten history of every decision.
"""
