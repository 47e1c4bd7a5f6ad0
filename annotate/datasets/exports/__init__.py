"""One module per export format; each is a generator of text chunks."""
