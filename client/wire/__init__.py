"""Wire plumbing shared by both sides: signatures, ADR headers and problems, transport, serving."""
