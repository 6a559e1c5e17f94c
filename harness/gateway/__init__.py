"""The enforcing endpoint: authenticate, parse, map, decide, answer like AWS."""
