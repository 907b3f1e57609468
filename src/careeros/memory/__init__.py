"""Long-term memory: evidence chunks with vectors in LanceDB (versioned, tagged per curation run), hybrid search."""
