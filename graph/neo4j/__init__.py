"""The server backend: Neo4j 5 through the official driver (``store``), every Cypher
statement (``queries``) and records as Cypher parameters and back (``rows``)."""
