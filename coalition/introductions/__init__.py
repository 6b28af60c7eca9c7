"""Bridge-building introductions, one pipeline: an index of the map (``index``),
candidate pairs without all pairs (``candidates``), their features (``features``), the
learned likelihood (``model``), limits and brokers (``placement``), plain reasons
(``reasons``), and the ranked list the CLI and dashboard show (``recommend``)."""
