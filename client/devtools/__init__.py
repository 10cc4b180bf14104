"""Development tools: synthetic exports and a development CA with keys."""
