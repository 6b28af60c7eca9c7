"""Every Cypher statement the Neo4j store runs, in one place, always parameterized.

Labels and relationship types are fixed here and never built from input. Graph model:

    (:Organization {id, name, ...})-[:IN_MOVEMENT {position}]->(:Movement {id, name, color})
    (:Organization)-[:TIE {kind, strength, since, until, visibility, notes, ...}]->(:Organization)
    (:Introduction {key, a, b, broker, score, reasons, status, ...})
    (:StoreMeta {key: "store", version})   (:SchemaMigration {name, applied_at})
"""

SCHEMA = [
    "CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (o:Organization) REQUIRE o.id IS UNIQUE",
    "CREATE CONSTRAINT movement_id IF NOT EXISTS FOR (m:Movement) REQUIRE m.id IS UNIQUE",
    "CREATE CONSTRAINT introduction_key IF NOT EXISTS FOR (i:Introduction) REQUIRE i.key IS UNIQUE",
    "CREATE CONSTRAINT store_meta_key IF NOT EXISTS FOR (s:StoreMeta) REQUIRE s.key IS UNIQUE",
    "CREATE CONSTRAINT schema_migration_name IF NOT EXISTS FOR (s:SchemaMigration) REQUIRE s.name IS UNIQUE",
    "CREATE INDEX organization_visibility IF NOT EXISTS FOR (o:Organization) ON (o.visibility)",
    "CREATE INDEX tie_kind IF NOT EXISTS FOR ()-[t:TIE]-() ON (t.kind)",
]

#: Named migrations after the schema above, recorded as (:SchemaMigration) nodes.
MIGRATIONS: list[tuple[str, list[str]]] = [("0001_initial", [])]

APPLIED_MIGRATIONS = "MATCH (s:SchemaMigration) RETURN s.name AS name"
RECORD_MIGRATION = "MERGE (s:SchemaMigration {name: $name}) ON CREATE SET s.applied_at = $now"
ENSURE_META = "MERGE (s:StoreMeta {key: 'store'}) ON CREATE SET s.version = 0"
BUMP_VERSION = "MATCH (s:StoreMeta {key: 'store'}) SET s.version = s.version + 1 RETURN s.version AS version"
READ_VERSION = "MATCH (s:StoreMeta {key: 'store'}) RETURN s.version AS version"
HAS_SCHEMA = "MATCH (s:SchemaMigration {name: '0001_initial'}) RETURN count(s) AS n"

ADD_MOVEMENTS_IF_ABSENT = """
UNWIND $rows AS row
MERGE (m:Movement {id: row.id})
ON CREATE SET m.name = row.name, m.color = row.color
"""
UPSERT_MOVEMENTS = """
UNWIND $rows AS row
MERGE (m:Movement {id: row.id})
SET m.name = row.name, m.color = row.color
"""
MOVEMENT_IDS = "MATCH (m:Movement) WHERE m.id IN $ids RETURN m.id AS id"
ORGANIZATION_IDS = "MATCH (o:Organization) WHERE o.id IN $ids RETURN o.id AS id"

EXISTING_ORGANIZATIONS = """
MATCH (o:Organization) WHERE o.id IN $ids
OPTIONAL MATCH (o)-[r:IN_MOVEMENT]->(m:Movement)
WITH o, r, m ORDER BY r.position
RETURN o {.*} AS org, [x IN collect(m.id) WHERE x IS NOT NULL] AS movements
"""
# New and changed records take separate statements: CREATE needs no lookup, while MERGE
# in a large transaction slows down with every batch (measured: 1 s to 8 s per batch).
CREATE_ORGANIZATIONS = """
UNWIND $rows AS row
CREATE (o:Organization {id: row.id})
SET o += row.props
WITH o, row
UNWIND range(0, size(row.movements) - 1) AS position
MATCH (m:Movement {id: row.movements[position]})
CREATE (o)-[:IN_MOVEMENT {position: position}]->(m)
"""
UPDATE_ORGANIZATIONS = """
UNWIND $rows AS row
MATCH (o:Organization {id: row.id})
SET o += row.props
WITH o, row
OPTIONAL MATCH (o)-[old:IN_MOVEMENT]->()
DELETE old
WITH DISTINCT o, row
UNWIND range(0, size(row.movements) - 1) AS position
MATCH (m:Movement {id: row.movements[position]})
CREATE (o)-[:IN_MOVEMENT {position: position}]->(m)
"""

EXISTING_TIES = """
UNWIND $keys AS key
MATCH (s:Organization {id: key.source})-[t:TIE {kind: key.kind}]->(o:Organization {id: key.target})
RETURN s.id AS source, o.id AS target, t {.*} AS tie
"""
CREATE_TIES = """
UNWIND $rows AS row
MATCH (s:Organization {id: row.source}), (o:Organization {id: row.target})
CREATE (s)-[t:TIE {kind: row.kind}]->(o)
SET t += row.props
"""
UPDATE_TIES = """
UNWIND $rows AS row
MATCH (s:Organization {id: row.source})-[t:TIE {kind: row.kind}]->(o:Organization {id: row.target})
SET t += row.props
"""

UPSERT_INTRODUCTIONS = """
UNWIND $rows AS row
MERGE (i:Introduction {key: row.key})
ON CREATE SET i.created_at = row.created_at
SET i += row.props
"""

DELETE_ORGANIZATION = """
MATCH (o:Organization {id: $id})
OPTIONAL MATCH (o)-[t:TIE]-()
WITH o, count(t) AS ties
OPTIONAL MATCH (i:Introduction) WHERE i.a = $id OR i.b = $id
DETACH DELETE i
WITH DISTINCT o, ties
OPTIONAL MATCH (b:Introduction {broker: $id})
REMOVE b.broker
WITH DISTINCT o, ties
DETACH DELETE o
RETURN ties
"""
DELETE_TIES = """
MATCH (s:Organization)-[t:TIE]-(o:Organization)
WHERE s.id = $source AND o.id = $target AND ($kind IS NULL OR t.kind = $kind)
DELETE t
RETURN count(t) AS removed
"""
CLEAR = [
    "MATCH (i:Introduction) DETACH DELETE i",
    "MATCH (o:Organization) DETACH DELETE o",
    "MATCH (m:Movement) DETACH DELETE m",
]

GET_ORGANIZATION = """
MATCH (o:Organization {id: $id})
OPTIONAL MATCH (o)-[r:IN_MOVEMENT]->(m:Movement)
WITH o, r, m ORDER BY r.position
RETURN o {.*} AS org, [x IN collect(m.id) WHERE x IS NOT NULL] AS movements
"""
ALL_MOVEMENTS = "MATCH (m:Movement) RETURN m.id AS id, m.name AS name, m.color AS color ORDER BY id"
VISIBLE_ORGANIZATIONS = """
MATCH (o:Organization) WHERE o.visibility IN $levels
OPTIONAL MATCH (o)-[r:IN_MOVEMENT]->(m:Movement)
WITH o, r, m ORDER BY r.position
RETURN o {.*} AS org, [x IN collect(m.id) WHERE x IS NOT NULL] AS movements
ORDER BY org.id
"""
VISIBLE_TIES = """
MATCH (s:Organization)-[t:TIE]->(o:Organization)
WHERE t.visibility IN $levels AND s.visibility IN $levels AND o.visibility IN $levels
RETURN s.id AS source, o.id AS target, t {.*} AS tie
ORDER BY source, target, t.kind
"""
VISIBLE_INTRODUCTIONS = """
MATCH (i:Introduction)
MATCH (x:Organization {id: i.a}) WHERE x.visibility IN $levels
MATCH (y:Organization {id: i.b}) WHERE y.visibility IN $levels
RETURN i {.*} AS intro
ORDER BY i.a, i.b
"""
COUNTS = """
CALL () { MATCH (m:Movement) RETURN count(m) AS movements }
CALL () { MATCH (o:Organization) RETURN count(o) AS organizations }
CALL () { MATCH ()-[t:TIE]->() RETURN count(t) AS ties }
CALL () { MATCH (i:Introduction) RETURN count(i) AS introductions }
RETURN movements, organizations, ties, introductions
"""
