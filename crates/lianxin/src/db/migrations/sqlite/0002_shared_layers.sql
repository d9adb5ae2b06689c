-- 0002 shared layers: the legal calendar, the deadlines registry, congress settings, search.
-- Kept column-for-column in step with ../postgres/0002_shared_layers.sql (tested); the full-text
-- index is backend-specific: an FTS5 table here, an expression GIN index there.

CREATE TABLE holiday_years (
    year INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    loaded_at INTEGER NOT NULL,
    loaded_by INTEGER REFERENCES users(id)
);

CREATE TABLE deadlines (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    module TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    start_on TEXT NOT NULL,
    amount INTEGER NOT NULL,
    unit TEXT NOT NULL,
    due_on TEXT NOT NULL,
    basis_rule TEXT NOT NULL,
    basis_source TEXT NOT NULL,
    unloaded_years TEXT NOT NULL,
    holder_user_id INTEGER REFERENCES users(id),
    link TEXT NOT NULL,
    closed_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (module, item_id, kind)
);
CREATE INDEX deadlines_open ON deadlines (closed_at, due_on);

CREATE TABLE congress_settings (
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_text TEXT NOT NULL,
    decided_on TEXT,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    PRIMARY KEY (congress_id, key)
);

CREATE TABLE congress_settings_history (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_text TEXT NOT NULL,
    decided_on TEXT,
    changed_at INTEGER NOT NULL,
    changed_by INTEGER REFERENCES users(id)
);
CREATE INDEX congress_settings_history_key ON congress_settings_history (congress_id, key, id);

CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY,
    congress_id INTEGER NOT NULL REFERENCES congresses(id),
    kind TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tokens TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (kind, item_id)
);

CREATE VIRTUAL TABLE search_fts USING fts5(tokens, content='search_docs', content_rowid='id', tokenize='unicode61 remove_diacritics 0');
CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_fts (rowid, tokens) VALUES (new.id, new.tokens);
END;
CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
END;
CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_fts (search_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
    INSERT INTO search_fts (rowid, tokens) VALUES (new.id, new.tokens);
END;
