"""One parser per official published format. Each takes the exact bytes of one document."""
