"""The schema of a qualif file, split so a bulk load can defer the costly parts.

Layout in one sentence: ``contacts`` holds identity and coordinates (wide rows,
read one at a time); ``contact_facts`` holds one *narrow* row per contact with
everything the segment engine filters on — the département, the computed
facts (last contact, next activity, deals) and one column per qualification
key (``k<id>``) with values stored as small integer codes. A segment count over
1 000 000 contacts then scans or index-probes a table of a few tens of bytes
per row instead of the wide contact rows, and each key column has its own index.

Value encoding in ``contact_facts.k<id>`` by key type:

========== ======== ==================================================
type       affinity stored value
========== ======== ==================================================
choice     INTEGER  the value's stable ``code`` in ``key_values``
multi      INTEGER  a bit mask: bit ``code`` set for each chosen value
yesno      INTEGER  1 or 0
number     REAL     the number
month      TEXT     ``YYYY-MM``
date       TEXT     ``YYYY-MM-DD``
text       TEXT     the text as typed
========== ======== ==================================================

The computed facts are kept right by triggers, so they stay right even when
the file is written by another tool (the sqlite3 shell, a script).
"""

from __future__ import annotations

from qualif_tui.base.geography import departement_sql

# Kinds of history entry written by the program itself: they do not count as
# contact with the person (``last_contact``) and the timeline shows them dimmed.
AUTOMATIC_KINDS = ("change", "import", "system")

def history_fts_rowid(contact: str = "contact_id", entry: str = "id") -> str:
    """SQL of a history entry's full-text rowid (see history_fts in TABLES)."""
    return f"(({contact}) << 32) | ({entry})"


def contact_of_history_hit(rowid: str = "rowid") -> str:
    """SQL of the contact a history_fts rowid belongs to."""
    return f"(({rowid}) >> 32)"


def history_fts_rowids_of(contact_id: int) -> tuple[int, int]:
    """The range of history_fts rowids of one contact's entries (inclusive)."""
    return contact_id << 32, (contact_id << 32) | 0xFFFFFFFF


HISTORY_FULLTEXT = f"""
-- The full-text rowid of a history entry packs its contact with it
-- ((contact_id << 32) | id): a word's hits give their contacts straight from
-- the index, where a lookup in history per hit cost ~110 ms for a word found
-- in 280 000 entries at 1 000 000 contacts. The view is what FTS5 reads back
-- (on 'rebuild' and checks); nothing selects columns from history_fts.
CREATE VIEW history_fts_source AS
    SELECT {history_fts_rowid()} AS fts_rowid, subject, body FROM history;

CREATE VIRTUAL TABLE history_fts USING fts5(
    subject, body,
    content='history_fts_source', content_rowid='fts_rowid',
    tokenize="unicode61 remove_diacritics 2"
);
"""

DEALS_FULLTEXT = f"""
-- Deal titles and notes join the full text (a bare word finds the contact), with
-- the contact packed in the rowid as for history.
CREATE VIEW deals_fts_source AS
    SELECT {history_fts_rowid()} AS fts_rowid, title, notes FROM deals;

CREATE VIRTUAL TABLE deals_fts USING fts5(
    title, notes,
    content='deals_fts_source', content_rowid='fts_rowid',
    tokenize="unicode61 remove_diacritics 2"
);
"""


# Campaigns (services/campaigns): a mailing, letters, a phoning or an event
# invitation sent to a list of recipients frozen when the campaign is made.
# Rows naming a contact reference contacts(id), so that merging duplicates moves
# them and erasing a contact erases them.
# The query engine's bitmaps, kept in the file (query/stored_facets.py): a
# one-shot command (qualif query, qualif segment list) counts with them instead
# of scanning a million rows. Per contact_facts column ('' for every contact):
# its values and their contact-id bitmaps as of a data version (max(change_log.seq),
# PRAGMA schema_version); writes made since are applied from change_log on reading.
FACET_STORE = """
CREATE TABLE facet_store (
    name    TEXT PRIMARY KEY,
    seq     INTEGER NOT NULL,
    schema  INTEGER NOT NULL,
    data    BLOB NOT NULL
);
"""

CAMPAIGN_TABLES = """
CREATE TABLE campaigns (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    norm_name  TEXT NOT NULL UNIQUE,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'letter', 'phone', 'event')),
    query      TEXT NOT NULL DEFAULT '',      -- the query (or segment:"…") it was made from
    day        TEXT NOT NULL,                 -- YYYY-MM-DD: its date (ROI window, chain steps)
    cost       REAL NOT NULL DEFAULT 0,
    subject    TEXT NOT NULL DEFAULT '',      -- the e-mail template (Jinja2), kept so that
    body       TEXT NOT NULL DEFAULT '',      -- a resumed send sends the same message
    html       TEXT NOT NULL DEFAULT '',
    sent_at    TEXT,                          -- when it was first sent (timeline entries written)
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL
);

-- One row per recipient; its sending state is written as the send goes, so an
-- interrupted send resumes where it stopped ('sending': handed to the server,
-- outcome unknown: never sent again without the user's say-so).
CREATE TABLE campaign_recipients (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    address      TEXT NOT NULL DEFAULT '',    -- e-mail or phone number as it was at creation
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    detail       TEXT NOT NULL DEFAULT '',    -- the server's reply to a failure
    message_id   TEXT NOT NULL DEFAULT '',
    sent_at      TEXT,
    response     TEXT NOT NULL DEFAULT 'none'
                 CHECK (response IN ('none', 'replied', 'meeting', 'quote', 'order',
                                     'unsubscribed', 'bounced')),
    responded_at TEXT,
    PRIMARY KEY (campaign_id, contact_id)
) WITHOUT ROWID;

-- Who the campaign's query matched but who was left out, and why.
CREATE TABLE campaign_exclusions (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL
                CHECK (reason IN ('no_address', 'optout', 'legal_basis', 'duplicate')),
    detail      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, contact_id)
) WITHOUT ROWID;

-- A follow-up chain (J+0 e-mail, J+10 call…) and the agenda activities it made.
CREATE TABLE campaign_steps (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    offset_days INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    PRIMARY KEY (campaign_id, position)
) WITHOUT ROWID;

CREATE TABLE campaign_activities (
    activity_id INTEGER PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL
);
"""

CAMPAIGN_INDEXES = """
CREATE INDEX campaign_recipients_contact ON campaign_recipients(contact_id);
CREATE INDEX campaign_exclusions_contact ON campaign_exclusions(contact_id);
CREATE INDEX campaign_activities_recipient ON campaign_activities(campaign_id, contact_id);
CREATE INDEX campaign_activities_contact ON campaign_activities(contact_id);
"""

TABLES = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE import_batches (
    id         INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,          -- file name(s) as given
    format     TEXT NOT NULL DEFAULT '',
    created    TEXT NOT NULL,
    summary    TEXT NOT NULL DEFAULT '{}',  -- JSON report
    undone     TEXT                    -- when the batch was undone, if it was
);

-- What an import's --on-duplicate merge changed on an existing contact, so that
-- undoing the batch can put the old values back (created contacts are simply
-- deleted through contacts.import_batch).
CREATE TABLE import_merges (
    batch_id   INTEGER NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL,              -- no FK: the contact may be erased later
    changes    TEXT NOT NULL,                 -- JSON {"fields": {col: [old, new]}, "keys": {col: [old, new]}, "custom": {name: [old, new]}}
    PRIMARY KEY (batch_id, contact_id)
) WITHOUT ROWID;

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    company       TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    email2        TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    mobile        TEXT NOT NULL DEFAULT '',
    phone_e164    TEXT NOT NULL DEFAULT '',   -- normalised phone, for duplicate matching
    mobile_e164   TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    address2      TEXT NOT NULL DEFAULT '',
    postal_code   TEXT NOT NULL DEFAULT '',
    city          TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT '',
    birthday      TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD, or --MM-DD when the year is unknown
    website       TEXT NOT NULL DEFAULT '',
    email_optout  INTEGER NOT NULL DEFAULT 0, -- 1: asked not to receive mailings
    phone_optout  INTEGER NOT NULL DEFAULT 0,
    legal_basis   TEXT NOT NULL DEFAULT '',   -- GDPR basis: consent, contract, legitimate interest…
    custom        TEXT NOT NULL DEFAULT '{}', -- JSON: imported columns that map to no field
    import_batch  INTEGER REFERENCES import_batches(id) ON DELETE SET NULL,
    created       TEXT NOT NULL,
    updated       TEXT NOT NULL,
    -- normalised forms (casefolded, accents stripped), written with every change
    sort_key      TEXT NOT NULL DEFAULT '',   -- last name, first name, company
    norm_name     TEXT NOT NULL DEFAULT '',   -- "first last"
    norm_company  TEXT NOT NULL DEFAULT '',
    norm_city     TEXT NOT NULL DEFAULT '',
    norm_email    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE contact_facts (
    contact_id    INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    dept          TEXT,      -- département from the postal code (01..95, 2A, 2B, 971..976)
    last_contact  TEXT,      -- YYYY-MM-DD of the latest non-automatic history entry
    next_activity TEXT,      -- YYYY-MM-DD of the earliest open activity
    deals         INTEGER NOT NULL DEFAULT 0,  -- number of won deals
    revenue       REAL NOT NULL DEFAULT 0,     -- sum of won deals
    open_deals    INTEGER NOT NULL DEFAULT 0,
    created       TEXT,      -- YYYY-MM-DD of contacts.created (kept by triggers), for created:2024
    updated       TEXT,      -- YYYY-MM-DD of contacts.updated
    flags         INTEGER NOT NULL DEFAULT 0, -- CONTACT_FLAGS of the contact (has:email…)
    last_inbound  TEXT,      -- YYYY-MM-DD of the latest message from the contact (direction 'in'):
                             -- the CNIL retention clock counts from the prospect's own last contact
    last_purchase TEXT       -- YYYY-MM-DD of the latest won deal (added last: as ALTER TABLE adds it)
    -- k<id> columns, one per qualification key, are added by ALTER TABLE
);

CREATE TABLE qual_keys (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,                 -- as the user wrote it: "Mise en service"
    norm_name   TEXT NOT NULL UNIQUE,          -- "mise_en_service"
    label       TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL CHECK (type IN ('choice','multi','month','date','number','yesno','text')),
    position    INTEGER NOT NULL DEFAULT 0,
    remind      INTEGER NOT NULL DEFAULT 0,    -- date/month keys: show reminders in the agenda
    remind_lead_days INTEGER NOT NULL DEFAULT 0,
    remind_after_months INTEGER NOT NULL DEFAULT 0, -- e.g. a vehicle's 48-month check
    created     TEXT NOT NULL
);

CREATE TABLE key_values (
    key_id     INTEGER NOT NULL REFERENCES qual_keys(id) ON DELETE CASCADE,
    code       INTEGER NOT NULL,     -- stable: reordering values never renumbers them
    value      TEXT NOT NULL,
    norm_value TEXT NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (key_id, code),
    UNIQUE (key_id, norm_value)
) WITHOUT ROWID;

CREATE TABLE history (
    id           INTEGER PRIMARY KEY,
    contact_id   INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,      -- note, call, email, meeting, letter, campaign, task, change, import, system
    happened_at  TEXT NOT NULL,      -- local wall time, YYYY-MM-DDTHH:MM:SS
    subject      TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    automatic    INTEGER NOT NULL DEFAULT 0,
    activity_id  INTEGER REFERENCES activities(id) ON DELETE SET NULL,
    import_batch INTEGER REFERENCES import_batches(id) ON DELETE SET NULL,
    created      TEXT NOT NULL,
    message_id   TEXT,  -- mail archives: the Message-ID (else "sha1:…" of the content): re-imports add nothing
    direction    TEXT   -- mail archives: 'in' the contact wrote, 'out' the user wrote, 'cc' a fellow recipient
);

""" + HISTORY_FULLTEXT + """
-- prefix='1 2': a search as the user types its first letters ("d", "du") reads one
-- list instead of merging every word that starts with them (3 s → 20 ms at 1M).
CREATE VIRTUAL TABLE contacts_fts USING fts5(
    first_name, last_name, company, email, city,
    content='contacts', content_rowid='id',
    tokenize="unicode61 remove_diacritics 2",
    prefix='1 2'
);

CREATE TABLE activities (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL UNIQUE,         -- iCalendar UID, stable across export/import
    kind          TEXT NOT NULL DEFAULT 'todo', -- call, meeting, todo, or a user kind
    title         TEXT NOT NULL DEFAULT '',
    notes         TEXT NOT NULL DEFAULT '',
    location      TEXT NOT NULL DEFAULT '',
    starts_at     TEXT,              -- YYYY-MM-DD (all day) or YYYY-MM-DDTHH:MM local wall time
    tz            TEXT NOT NULL DEFAULT '',    -- IANA zone of the wall time; '' = the machine's zone
    duration_min  INTEGER,
    due           TEXT,              -- YYYY-MM-DD[THH:MM] for to-dos
    priority      INTEGER NOT NULL DEFAULT 2 CHECK (priority IN (1, 2, 3)), -- 1 high, 2 normal, 3 low
    alarm_min     INTEGER,           -- minutes before start; NULL = no alarm
    rrule         TEXT NOT NULL DEFAULT '',    -- RFC 5545 RRULE, '' = single
    exdates       TEXT NOT NULL DEFAULT '',    -- comma-separated occurrence starts removed from the series
    series_id     INTEGER REFERENCES activities(id) ON DELETE CASCADE, -- an overridden occurrence of a series
    recurrence_id TEXT,              -- which occurrence of series_id this row replaces
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    done_at       TEXT,
    created       TEXT NOT NULL,
    updated       TEXT NOT NULL
);

CREATE TABLE activity_contacts (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, contact_id)
) WITHOUT ROWID;

-- The pipeline's stages, in order: the user renames them, reorders them, sets
-- their default probability, adds some; ``kind`` says which count as won or
-- lost (the revenue and open-deal facts follow it). Deals name a stage by its
-- ``id`` (lead, qualified… for the defaults, the folded label for new ones).
CREATE TABLE deal_stages (
    id          TEXT PRIMARY KEY,
    label       TEXT NOT NULL,
    norm_label  TEXT NOT NULL UNIQUE,
    position    INTEGER NOT NULL,
    probability INTEGER NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),
    kind        TEXT NOT NULL DEFAULT 'open' CHECK (kind IN ('open', 'won', 'lost'))
) WITHOUT ROWID;

INSERT INTO deal_stages(id, label, norm_label, position, probability, kind) VALUES
    ('lead', 'Piste', 'piste', 1, 10, 'open'),
    ('qualified', 'Qualifiée', 'qualifiee', 2, 25, 'open'),
    ('proposal', 'Proposition', 'proposition', 3, 50, 'open'),
    ('negotiation', 'Négociation', 'negociation', 4, 75, 'open'),
    ('won', 'Gagnée', 'gagnee', 5, 100, 'won'),
    ('lost', 'Perdue', 'perdue', 6, 0, 'lost');

-- The user's own lists for deals: why deals are lost, what they sell.
CREATE TABLE deal_choices (
    id         INTEGER PRIMARY KEY,
    list       TEXT NOT NULL CHECK (list IN ('lost_reason', 'category')),
    label      TEXT NOT NULL,
    norm_label TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (list, norm_label)
);

INSERT INTO deal_choices(list, label, norm_label, position) VALUES
    ('lost_reason', 'Prix', 'prix', 1),
    ('lost_reason', 'Concurrent', 'concurrent', 2),
    ('lost_reason', 'Délai', 'delai', 3),
    ('lost_reason', 'Pas de budget', 'pas de budget', 4),
    ('lost_reason', 'Projet abandonné', 'projet abandonne', 5),
    ('lost_reason', 'Sans réponse', 'sans reponse', 6);

CREATE TABLE deals (
    id             INTEGER PRIMARY KEY,
    contact_id     INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    title          TEXT NOT NULL DEFAULT '',
    stage          TEXT NOT NULL DEFAULT 'lead' REFERENCES deal_stages(id),
    amount         REAL NOT NULL DEFAULT 0,    -- excluding VAT (HT)
    probability    INTEGER NOT NULL DEFAULT 10 CHECK (probability BETWEEN 0 AND 100),
    expected_close TEXT,                       -- YYYY-MM-DD
    closed_at      TEXT,                       -- YYYY-MM-DD, when won or lost
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL,
    cost           REAL,                       -- what it costs the user (margin = amount - cost)
    category_id    INTEGER REFERENCES deal_choices(id) ON DELETE SET NULL,
    source         TEXT NOT NULL DEFAULT '',   -- where it came from (the contact's Source key by default)
    notes          TEXT NOT NULL DEFAULT '',
    lost_reason_id INTEGER REFERENCES deal_choices(id) ON DELETE SET NULL,
    import_batch   INTEGER REFERENCES import_batches(id) ON DELETE SET NULL
);

-- Other contacts of a deal (colleagues at the same company); deals.contact_id
-- is the one whose revenue and facts it counts in.
CREATE TABLE deal_contacts (
    deal_id    INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (deal_id, contact_id)
) WITHOUT ROWID;

-- Every stage a deal entered (from_stage NULL: created there): the funnel's
-- conversions are read from it, whatever the deal's stage is now.
CREATE TABLE deal_moves (
    id         INTEGER PRIMARY KEY,
    deal_id    INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    from_stage TEXT,
    to_stage   TEXT NOT NULL,
    moved_at   TEXT NOT NULL                   -- YYYY-MM-DD
);

-- Quote numbers: the last one given per year, never decremented, so a number
-- is never given twice (even after a quote is deleted).
CREATE TABLE quote_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE quotes (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,          -- D2026-0001, D2026-0001-V2 for a new version
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    deal_id     INTEGER REFERENCES deals(id) ON DELETE SET NULL,
    title       TEXT NOT NULL DEFAULT '',      -- what it is for
    issued      TEXT NOT NULL,                 -- YYYY-MM-DD
    valid_days  INTEGER NOT NULL DEFAULT 30 CHECK (valid_days BETWEEN 1 AND 3650),
    status      TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'sent', 'accepted', 'refused')),
    version     INTEGER NOT NULL DEFAULT 1,
    previous_id INTEGER REFERENCES quotes(id) ON DELETE SET NULL, -- the version it replaces
    notes       TEXT NOT NULL DEFAULT '',      -- printed under the lines
    total_ht    REAL NOT NULL DEFAULT 0,       -- kept by the core from the lines
    total_vat   REAL NOT NULL DEFAULT 0,
    total_ttc   REAL NOT NULL DEFAULT 0,
    sent_at     TEXT,
    decided_at  TEXT,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL
);

CREATE TABLE quote_lines (
    id          INTEGER PRIMARY KEY,
    quote_id    INTEGER NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    designation TEXT NOT NULL,
    quantity    REAL NOT NULL DEFAULT 1,
    unit        TEXT NOT NULL DEFAULT '',
    unit_price  REAL NOT NULL DEFAULT 0,       -- HT
    vat_rate    REAL NOT NULL DEFAULT 20,      -- percent: 20, 10, 5.5, 2.1 or 0
    discount    REAL NOT NULL DEFAULT 0 CHECK (discount >= 0 AND discount <= 100) -- percent
);

CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    norm_name  TEXT NOT NULL UNIQUE,
    query      TEXT NOT NULL DEFAULT '',       -- dynamic: the query; static: the query it was frozen from
    kind       TEXT NOT NULL DEFAULT 'dynamic' CHECK (kind IN ('dynamic', 'static')),
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL
);

-- Every write a query result depends on appends a row here (triggers below):
-- ``max(seq)`` is the data version the query engine keys its caches on (counts,
-- per-value bitmaps), and rows with a contact id say whose facts to re-read.
-- Only the last ~20 000 rows are kept; a cache older than that rebuilds.
CREATE TABLE change_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, even after pruning
    contact_id INTEGER                             -- NULL: not one contact's facts
);

CREATE TABLE segment_members (
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    added      TEXT NOT NULL,
    PRIMARY KEY (segment_id, contact_id)
) WITHOUT ROWID;
""" + DEALS_FULLTEXT + CAMPAIGN_TABLES + FACET_STORE

# Mail archives (services/mailimport): a message is on a contact's timeline once
# (re-imports add nothing), correspondents are matched on the second e-mail too,
# and the contact's last message *from* them is kept beside last_contact.
MAIL_INDEXES = """
CREATE UNIQUE INDEX history_message ON history(message_id, contact_id) WHERE message_id IS NOT NULL;
CREATE INDEX contacts_email2 ON contacts(lower(trim(email2))) WHERE email2 != '';
CREATE INDEX facts_last_inbound ON contact_facts(last_inbound);
"""

LAST_INBOUND_SQL = (
    "(SELECT max(substr(happened_at, 1, 10)) FROM history"
    " WHERE contact_id = {cid} AND direction = 'in')"
)

MAIL_TRIGGERS = f"""
CREATE TRIGGER history_ai_inbound AFTER INSERT ON history WHEN new.direction = 'in' BEGIN
    UPDATE contact_facts
       SET last_inbound = max(coalesce(last_inbound, ''), substr(new.happened_at, 1, 10))
     WHERE contact_id = new.contact_id;
END;

CREATE TRIGGER history_ad_inbound AFTER DELETE ON history WHEN old.direction = 'in' BEGIN
    UPDATE contact_facts SET last_inbound = {LAST_INBOUND_SQL.format(cid="old.contact_id")}
     WHERE contact_id = old.contact_id;
END;

CREATE TRIGGER history_au_inbound AFTER UPDATE OF contact_id, happened_at, direction ON history
WHEN old.direction = 'in' OR new.direction = 'in' BEGIN
    UPDATE contact_facts SET last_inbound = {LAST_INBOUND_SQL.format(cid="contact_facts.contact_id")}
     WHERE contact_id IN (old.contact_id, new.contact_id);
END;
"""

INDEXES = """
CREATE INDEX contacts_sort ON contacts(sort_key, id);
CREATE INDEX contacts_company ON contacts(norm_company, id);
CREATE INDEX contacts_city ON contacts(norm_city, id);
CREATE INDEX contacts_name ON contacts(norm_name, norm_company) WHERE norm_name != '';
CREATE INDEX contacts_email ON contacts(norm_email) WHERE norm_email != '';
CREATE INDEX contacts_phone ON contacts(phone_e164) WHERE phone_e164 != '';
CREATE INDEX contacts_mobile ON contacts(mobile_e164) WHERE mobile_e164 != '';
CREATE INDEX contacts_custom ON contacts(id) WHERE custom != '{}';
-- agenda birthdays: 'MM-DD' of 'YYYY-MM-DD' and '--MM-DD' alike
CREATE INDEX contacts_birthday ON contacts(substr(birthday, -5)) WHERE birthday != '';
CREATE INDEX contacts_import_batch ON contacts(import_batch) WHERE import_batch IS NOT NULL;
CREATE INDEX facts_dept ON contact_facts(dept);
CREATE INDEX facts_last_contact ON contact_facts(last_contact);
CREATE INDEX facts_next_activity ON contact_facts(next_activity);
CREATE INDEX facts_revenue ON contact_facts(revenue);
CREATE INDEX facts_open_deals ON contact_facts(open_deals);
CREATE INDEX facts_created ON contact_facts(created);
CREATE INDEX facts_updated ON contact_facts(updated);
CREATE INDEX contacts_postal_code ON contacts(postal_code) WHERE postal_code != '';
CREATE INDEX history_contact ON history(contact_id, happened_at);
CREATE INDEX history_activity ON history(activity_id) WHERE activity_id IS NOT NULL;
CREATE INDEX history_import_batch ON history(import_batch) WHERE import_batch IS NOT NULL;
-- single activities by day: a start range, or (starts_at IS NULL) a due range
CREATE INDEX activities_start ON activities(starts_at, due) WHERE rrule = '';
CREATE INDEX activities_rules ON activities(starts_at) WHERE rrule != '';
CREATE INDEX activities_todo ON activities(coalesce(starts_at, due), priority)
    WHERE status = 'open' AND rrule = '' AND kind != 'meeting';
CREATE INDEX activities_tasks ON activities(priority, coalesce(due, starts_at))
    WHERE status = 'open' AND rrule = '' AND kind != 'meeting';
CREATE INDEX activities_series ON activities(series_id) WHERE series_id IS NOT NULL;
CREATE INDEX activities_alarm ON activities(datetime(starts_at, '-' || alarm_min || ' minutes'))
    WHERE alarm_min IS NOT NULL AND status = 'open' AND rrule = '' AND starts_at IS NOT NULL;
CREATE INDEX activity_contacts_contact ON activity_contacts(contact_id);
CREATE INDEX deals_contact ON deals(contact_id);
-- the query fields on deals (deal_stage:, deal_amount>, won:, expected_close:,
-- lost_reason:) read contact ids straight from these, without the table
CREATE INDEX deals_stage ON deals(stage, contact_id);
CREATE INDEX deals_amount ON deals(amount, contact_id);
CREATE INDEX deals_closed ON deals(stage, closed_at, amount, contact_id)
    WHERE closed_at IS NOT NULL;
CREATE INDEX deals_expected ON deals(expected_close, stage, contact_id)
    WHERE expected_close IS NOT NULL;
CREATE INDEX deals_lost_reason ON deals(lost_reason_id, contact_id)
    WHERE lost_reason_id IS NOT NULL;
CREATE INDEX deals_import_batch ON deals(import_batch) WHERE import_batch IS NOT NULL;
-- the pipeline: totals per stage and the forecast read this index alone, and the
-- first cards of a stage by expected close are a range of it
CREATE INDEX deals_pipeline ON deals(stage, expected_close, amount, probability, contact_id);
CREATE INDEX deal_contacts_contact ON deal_contacts(contact_id);
CREATE INDEX deal_moves_deal ON deal_moves(deal_id, moved_at);
CREATE INDEX quotes_contact ON quotes(contact_id);
CREATE INDEX quotes_deal ON quotes(deal_id) WHERE deal_id IS NOT NULL;
CREATE INDEX quotes_issued ON quotes(issued);
CREATE INDEX quote_lines_quote ON quote_lines(quote_id, position);
CREATE INDEX facts_last_purchase ON contact_facts(last_purchase);
CREATE INDEX segment_members_contact ON segment_members(contact_id);
""" + CAMPAIGN_INDEXES + MAIL_INDEXES

_AUTOMATIC = ", ".join(f"'{kind}'" for kind in AUTOMATIC_KINDS)

# contact_facts.flags: one bit per yes/no fact of the wide contacts row that
# segments filter on (has:email, email_optout:oui…), so that those criteria are
# answered from the narrow table (and its bitmaps) like the keys.
CONTACT_FLAGS = {
    "email": 1,  # has an e-mail address
    "phone": 2,  # has a phone or a mobile number
    "email_optout": 4,
    "phone_optout": 8,
    "company": 16,  # has a company
    "birthday": 32,  # has a birthday (with or without its year)
}


def flags_sql(prefix: str = "") -> str:
    """The SQL value of ``contact_facts.flags`` from a contacts row (``new.`` in triggers)."""
    p = prefix
    return (f"(({p}email != '') + 2 * ({p}phone != '' OR {p}mobile != '')"
            f" + 4 * ({p}email_optout != 0) + 8 * ({p}phone_optout != 0)"
            f" + 16 * ({p}company != '') + 32 * ({p}birthday != ''))")


def contact_flags(email: str, phone: str, mobile: str, email_optout: object,
                  phone_optout: object, company: str, birthday: str) -> int:
    """The same value in Python, for loaders that bypass the triggers."""
    return ((email != "") + 2 * (phone != "" or mobile != "") + 4 * bool(email_optout)
            + 8 * bool(phone_optout) + 16 * (company != "") + 32 * (birthday != ""))

# SQL that recomputes one contact's derived facts; {cid} is the contact id expression.
LAST_CONTACT_SQL = (
    "(SELECT max(substr(happened_at, 1, 10)) FROM history"
    " WHERE contact_id = {cid} AND automatic = 0)"
)
NEXT_ACTIVITY_SQL = (
    "(SELECT min(substr(coalesce(a.starts_at, a.due), 1, 10))"
    " FROM activity_contacts ac JOIN activities a ON a.id = ac.activity_id"
    " WHERE ac.contact_id = {cid} AND a.status = 'open')"
)
# Stages by kind (deal_stages.kind): the stage table is the user's, so a rule
# on "won" reads it instead of naming 'won'.
WON_STAGES = "(SELECT id FROM deal_stages WHERE kind = 'won')"
OPEN_STAGES = "(SELECT id FROM deal_stages WHERE kind = 'open')"
DEALS_SQL = f"(SELECT count(*) FROM deals WHERE contact_id = {{cid}} AND stage IN {WON_STAGES})"
REVENUE_SQL = (
    f"(SELECT coalesce(sum(amount), 0) FROM deals WHERE contact_id = {{cid}}"
    f" AND stage IN {WON_STAGES})"
)
OPEN_DEALS_SQL = (
    f"(SELECT count(*) FROM deals WHERE contact_id = {{cid}} AND stage IN {OPEN_STAGES})"
)
LAST_PURCHASE_SQL = (
    f"(SELECT max(closed_at) FROM deals WHERE contact_id = {{cid}} AND stage IN {WON_STAGES})"
)


def _change_log_triggers() -> str:
    """Triggers appending to ``change_log`` (see the table): a contact's facts
    (with its id: the engine re-reads that row), and anything else a query can
    see — names, history (full text), segments, keys — with a NULL id.

    Foreign-key cascades fire no triggers, so deleting a contact is logged on
    ``contacts`` itself.
    """
    log_contact = "INSERT INTO change_log(contact_id) VALUES ({});"
    log_other = "INSERT INTO change_log(contact_id) VALUES (NULL);"
    parts = [
        f"CREATE TRIGGER change_log_facts_ai AFTER INSERT ON contact_facts BEGIN"
        f" {log_contact.format('new.contact_id')} END;",
        f"CREATE TRIGGER change_log_facts_au AFTER UPDATE ON contact_facts BEGIN"
        f" {log_contact.format('new.contact_id')} END;",
        f"CREATE TRIGGER change_log_facts_ad AFTER DELETE ON contact_facts BEGIN"
        f" {log_contact.format('old.contact_id')} END;",
        f"CREATE TRIGGER change_log_contacts_ad AFTER DELETE ON contacts BEGIN"
        f" {log_contact.format('old.id')} END;",
        f"CREATE TRIGGER change_log_contacts_au AFTER UPDATE ON contacts BEGIN {log_other} END;",
    ]
    for table in ("history", "segments", "segment_members", "qual_keys", "key_values"):
        for event, short in (("INSERT", "ai"), ("UPDATE", "au"), ("DELETE", "ad")):
            parts.append(f"CREATE TRIGGER change_log_{table}_{short} AFTER {event} ON {table}"
                         f" BEGIN {log_other} END;")
    # Keep the last 20 000 rows or so: one delete of 1 000 rows every 1 000 writes.
    parts.append("CREATE TRIGGER change_log_prune AFTER INSERT ON change_log"
                 " WHEN new.seq % 1000 = 0 BEGIN"
                 " DELETE FROM change_log WHERE seq <= new.seq - 20000; END;")
    return "\n".join(parts) + "\n"


CHANGE_LOG_TRIGGERS = _change_log_triggers()


def _refresh_deals(cid: str) -> str:
    return (
        f"UPDATE contact_facts SET deals = {DEALS_SQL.format(cid=cid)},"
        f" revenue = {REVENUE_SQL.format(cid=cid)},"
        f" open_deals = {OPEN_DEALS_SQL.format(cid=cid)},"
        f" last_purchase = {LAST_PURCHASE_SQL.format(cid=cid)}"
        f" WHERE contact_id = {cid};"
    )


def _refresh_next_activity_for(activity_id: str) -> str:
    return (
        "UPDATE contact_facts SET next_activity = "
        + NEXT_ACTIVITY_SQL.format(cid="contact_facts.contact_id")
        + f" WHERE contact_id IN (SELECT contact_id FROM activity_contacts WHERE activity_id = {activity_id});"
    )


HISTORY_TRIGGERS = f"""
CREATE TRIGGER history_ai AFTER INSERT ON history BEGIN
    INSERT INTO history_fts(rowid, subject, body)
    VALUES ({history_fts_rowid('new.contact_id', 'new.id')}, new.subject, new.body);
    UPDATE contact_facts
       SET last_contact = max(coalesce(last_contact, ''), substr(new.happened_at, 1, 10))
     WHERE contact_id = new.contact_id AND new.automatic = 0;
END;

CREATE TRIGGER history_ad AFTER DELETE ON history BEGIN
    INSERT INTO history_fts(history_fts, rowid, subject, body)
    VALUES ('delete', {history_fts_rowid('old.contact_id', 'old.id')}, old.subject, old.body);
    UPDATE contact_facts SET last_contact = {LAST_CONTACT_SQL.format(cid="old.contact_id")}
     WHERE contact_id = old.contact_id AND old.automatic = 0;
END;

CREATE TRIGGER history_au AFTER UPDATE ON history BEGIN
    INSERT INTO history_fts(history_fts, rowid, subject, body)
    VALUES ('delete', {history_fts_rowid('old.contact_id', 'old.id')}, old.subject, old.body);
    INSERT INTO history_fts(rowid, subject, body)
    VALUES ({history_fts_rowid('new.contact_id', 'new.id')}, new.subject, new.body);
    UPDATE contact_facts SET last_contact = {LAST_CONTACT_SQL.format(cid="contact_facts.contact_id")}
     WHERE contact_id IN (old.contact_id, new.contact_id);
END;
"""

def _deals_fts(action: str, row: str) -> str:
    rowid = history_fts_rowid(f"{row}.contact_id", f"{row}.id")
    if action == "delete":
        return (f"INSERT INTO deals_fts(deals_fts, rowid, title, notes)"
                f" VALUES ('delete', {rowid}, {row}.title, {row}.notes);")
    return f"INSERT INTO deals_fts(rowid, title, notes) VALUES ({rowid}, {row}.title, {row}.notes);"


# The contact's deal facts and the deals' full text, whoever writes a deal.
DEALS_TRIGGERS = f"""
CREATE TRIGGER deals_ai AFTER INSERT ON deals BEGIN
    {_refresh_deals("new.contact_id")}
    {_deals_fts("insert", "new")}
END;

CREATE TRIGGER deals_ad AFTER DELETE ON deals BEGIN
    {_refresh_deals("old.contact_id")}
    {_deals_fts("delete", "old")}
END;

CREATE TRIGGER deals_au AFTER UPDATE ON deals BEGIN
    {_refresh_deals("old.contact_id")}
    {_refresh_deals("new.contact_id")}
END;

CREATE TRIGGER deals_au_text AFTER UPDATE OF contact_id, title, notes ON deals BEGIN
    {_deals_fts("delete", "old")}
    {_deals_fts("insert", "new")}
END;
"""


# Erasure. Deleting a row tells FTS5 to forget its words, but they stay in the
# index's existing segments (and SQLite 3.40 has no FTS5 secure-delete) until
# the segments are merged. These marks make storage/erasure.py merge them
# (complete_erasure), whoever deleted the row; and what an import merged into a
# contact (old and new values, import_merges) goes with the contact.
ERASURE_TRIGGERS = """
CREATE TRIGGER erasure_contacts_ad AFTER DELETE ON contacts BEGIN
    INSERT OR IGNORE INTO meta(key, value) VALUES ('erasure.contacts', datetime('now'));
    DELETE FROM import_merges WHERE contact_id = old.id;
END;

CREATE TRIGGER erasure_history_ad AFTER DELETE ON history BEGIN
    INSERT OR IGNORE INTO meta(key, value) VALUES ('erasure.history', datetime('now'));
END;

CREATE TRIGGER erasure_deals_ad AFTER DELETE ON deals BEGIN
    INSERT OR IGNORE INTO meta(key, value) VALUES ('erasure.deals', datetime('now'));
END;
"""

TRIGGERS = f"""
CREATE TRIGGER contacts_ai AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_facts(contact_id, dept, created, updated, flags)
        VALUES (new.id, {departement_sql("new.postal_code")}, substr(new.created, 1, 10),
                substr(new.updated, 1, 10), {flags_sql("new.")});
    INSERT INTO contacts_fts(rowid, first_name, last_name, company, email, city)
        VALUES (new.id, new.first_name, new.last_name, new.company, new.email, new.city);
END;

CREATE TRIGGER contacts_ad AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, first_name, last_name, company, email, city)
        VALUES ('delete', old.id, old.first_name, old.last_name, old.company, old.email, old.city);
END;

CREATE TRIGGER contacts_au_text AFTER UPDATE OF first_name, last_name, company, email, city ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, first_name, last_name, company, email, city)
        VALUES ('delete', old.id, old.first_name, old.last_name, old.company, old.email, old.city);
    INSERT INTO contacts_fts(rowid, first_name, last_name, company, email, city)
        VALUES (new.id, new.first_name, new.last_name, new.company, new.email, new.city);
END;

CREATE TRIGGER contacts_au_postal AFTER UPDATE OF postal_code ON contacts BEGIN
    UPDATE contact_facts SET dept = {departement_sql("new.postal_code")} WHERE contact_id = new.id;
END;

CREATE TRIGGER contacts_au_stamps AFTER UPDATE OF created, updated ON contacts BEGIN
    UPDATE contact_facts SET created = substr(new.created, 1, 10), updated = substr(new.updated, 1, 10)
     WHERE contact_id = new.id
       AND (created IS NOT substr(new.created, 1, 10) OR updated IS NOT substr(new.updated, 1, 10));
END;

-- A loader that writes contact_facts rows itself (bulk import, with contacts_ai
-- set aside) may not know the columns added for the query engine: fill them.
CREATE TRIGGER contact_facts_ai_fill AFTER INSERT ON contact_facts
WHEN new.created IS NULL BEGIN
    UPDATE contact_facts
       SET created = (SELECT substr(created, 1, 10) FROM contacts WHERE id = new.contact_id),
           updated = (SELECT substr(updated, 1, 10) FROM contacts WHERE id = new.contact_id),
           flags = coalesce((SELECT {flags_sql()} FROM contacts WHERE id = new.contact_id), 0)
     WHERE contact_id = new.contact_id;
END;

CREATE TRIGGER contacts_au_flags AFTER UPDATE OF email, phone, mobile, email_optout,
        phone_optout, company, birthday ON contacts BEGIN
    UPDATE contact_facts SET flags = {flags_sql("new.")}
     WHERE contact_id = new.id AND flags IS NOT {flags_sql("new.")};
END;

{HISTORY_TRIGGERS}
{MAIL_TRIGGERS}
CREATE TRIGGER activity_contacts_ai AFTER INSERT ON activity_contacts BEGIN
    UPDATE contact_facts SET next_activity = {NEXT_ACTIVITY_SQL.format(cid="new.contact_id")}
     WHERE contact_id = new.contact_id;
END;

CREATE TRIGGER activity_contacts_ad AFTER DELETE ON activity_contacts BEGIN
    UPDATE contact_facts SET next_activity = {NEXT_ACTIVITY_SQL.format(cid="old.contact_id")}
     WHERE contact_id = old.contact_id;
END;

CREATE TRIGGER activities_au AFTER UPDATE OF starts_at, due, status ON activities BEGIN
    {_refresh_next_activity_for("new.id")}
END;

{DEALS_TRIGGERS}
{CHANGE_LOG_TRIGGERS}""" + ERASURE_TRIGGERS

# After a bulk load (tables filled with triggers absent), derive everything the
# triggers would have maintained, in set-based statements.
BULK_DERIVE_FACTS = f"""
INSERT INTO contact_facts(contact_id, dept)
    SELECT id, {departement_sql("postal_code")} FROM contacts
    WHERE id NOT IN (SELECT contact_id FROM contact_facts);
UPDATE contact_facts SET created = substr(c.created, 1, 10), updated = substr(c.updated, 1, 10),
       flags = {flags_sql("c.")}
  FROM contacts AS c
 WHERE c.id = contact_facts.contact_id AND contact_facts.created IS NULL;
UPDATE contact_facts SET last_contact = h.last
  FROM (SELECT contact_id, max(substr(happened_at, 1, 10)) AS last FROM history
         WHERE automatic = 0 GROUP BY contact_id) AS h
 WHERE contact_facts.contact_id = h.contact_id;
UPDATE contact_facts SET last_inbound = h.last
  FROM (SELECT contact_id, max(substr(happened_at, 1, 10)) AS last FROM history
         WHERE direction = 'in' GROUP BY contact_id) AS h
 WHERE contact_facts.contact_id = h.contact_id;
UPDATE contact_facts SET next_activity = n.next
  FROM (SELECT ac.contact_id, min(substr(coalesce(a.starts_at, a.due), 1, 10)) AS next
          FROM activity_contacts ac JOIN activities a ON a.id = ac.activity_id
         WHERE a.status = 'open' GROUP BY ac.contact_id) AS n
 WHERE contact_facts.contact_id = n.contact_id;
UPDATE contact_facts SET deals = d.won, revenue = d.revenue, open_deals = d.open,
       last_purchase = d.last_purchase
  FROM (SELECT deals.contact_id,
               sum(s.kind = 'won') AS won,
               coalesce(sum(CASE WHEN s.kind = 'won' THEN deals.amount END), 0) AS revenue,
               sum(s.kind = 'open') AS open,
               max(CASE WHEN s.kind = 'won' THEN deals.closed_at END) AS last_purchase
          FROM deals JOIN deal_stages s ON s.id = deals.stage GROUP BY deals.contact_id) AS d
 WHERE contact_facts.contact_id = d.contact_id;
"""
BULK_BUILD_FULLTEXT = """
INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild');
INSERT INTO history_fts(history_fts) VALUES ('rebuild');
INSERT INTO deals_fts(deals_fts) VALUES ('rebuild');
"""

# Column affinity of a key column in contact_facts, by key type.
KEY_COLUMN_AFFINITY = {
    "choice": "INTEGER",
    "multi": "INTEGER",
    "yesno": "INTEGER",
    "number": "REAL",
    "month": "TEXT",
    "date": "TEXT",
    "text": "TEXT",
}


def key_column(key_id: int) -> str:
    """The contact_facts column holding a key's values (ids are integers, never user text)."""
    return f"k{int(key_id)}"


# -- the view for other tools ----------------------------------------------------------

# What contacts_with_keys shows of a contact before its keys, in this order.
CONTACT_VIEW_COLUMNS = (
    "c.id", "c.first_name", "c.last_name", "c.company", "c.title", "c.email", "c.phone",
    "c.mobile", "c.address", "c.address2", "c.postal_code", "c.city", "c.country",
    "f.dept", "c.birthday", "c.website", "c.email_optout", "c.phone_optout", "c.legal_basis",
    "f.last_contact", "f.next_activity", "f.deals", "f.revenue", "f.open_deals",
    "c.created", "c.updated",
)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _key_value_sql(key_id: int, key_type: str) -> str:
    """A key's value as people read it: a choice's value, a multi's values as a JSON
    array (in the key's order), yes/no as 1/0, other types as stored."""
    column = f"f.{key_column(key_id)}"
    if key_type == "choice":
        return (f"(SELECT v.value FROM key_values v WHERE v.key_id = {int(key_id)}"
                f" AND v.code = {column})")
    if key_type == "multi":
        return (f"CASE WHEN {column} IS NULL THEN NULL ELSE (SELECT json_group_array(value)"
                f" FROM (SELECT v.value FROM key_values v WHERE v.key_id = {int(key_id)}"
                f" AND ({column} >> v.code) & 1 ORDER BY v.position)) END")
    return column


def contacts_with_keys_sql(keys: list[tuple[int, str, str]]) -> str:
    """``CREATE VIEW contacts_with_keys``: one row per contact, its fields and facts,
    then one column per qualification key named as the user named it.

    ``keys``: (id, name, type) of each key, in the order the app shows them. The view
    depends on them: it is made again whenever a key is added or removed
    (``migrations.refresh_contacts_with_keys``), so the expected view of a file is
    this function of its ``qual_keys`` rows. A key named like a contact column
    gets " (clé)" after its name.
    """
    taken = {column.split(".")[1].casefold() for column in CONTACT_VIEW_COLUMNS}
    parts = list(CONTACT_VIEW_COLUMNS)
    for key_id, name, key_type in keys:
        label = name if name.casefold() not in taken else f"{name} (clé)"
        taken.add(label.casefold())
        parts.append(f"{_key_value_sql(key_id, key_type)} AS {_quoted(label)}")
    columns = ",\n    ".join(parts)
    return (f"CREATE VIEW contacts_with_keys AS\nSELECT\n    {columns}\n"
            "FROM contacts c JOIN contact_facts f ON f.contact_id = c.id")
# -- a clean file: merges and key edits that can be undone, dismissed duplicate
# pairs, the names of custom fields, and values kept though invalid -----------

CLEAN_FILE_TABLES = """
-- What a merge of contacts or an edit of a key or its values changed, so that
-- it can be undone (the app's u, qualif undo); also the audit trail of those
-- operations. ``data`` is JSON written and read by the operation's own module.
CREATE TABLE IF NOT EXISTS operations (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,       -- merge, key_rename, value_rename, value_merge, ...
    label    TEXT NOT NULL,       -- what the user reads: "Fusion : #12 Léo Besson ← #40"
    created  TEXT NOT NULL,
    data     TEXT NOT NULL DEFAULT '{}',
    undone   TEXT                 -- when it was undone, if it was
);

-- Pairs the user said are not duplicates (contact_a < contact_b): never proposed again.
CREATE TABLE IF NOT EXISTS duplicate_dismissals (
    contact_a INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    contact_b INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    created   TEXT NOT NULL,
    PRIMARY KEY (contact_a, contact_b)
) WITHOUT ROWID;

-- Every name a contact's custom fields (contacts.custom) ever used, kept by the
-- triggers below: the query language resolves `budget>1000` from this small
-- table instead of reading every contact's JSON.
CREATE TABLE IF NOT EXISTS custom_fields (
    name TEXT PRIMARY KEY
) WITHOUT ROWID;
"""

# The rule of a valid e-mail address and French postal code, in SQL (the same
# rule in Python is qualif_tui.domain.validity; a test holds them equal). An
# invalid value is kept as typed and shown with a warning; these partial
# indexes, which hold only the invalid rows, answer `invalid:email` at once.
_EMAIL_OK = ("({e} GLOB '?*@?*.?*' AND {e} NOT GLOB '*@*@*'"
             " AND {e} NOT GLOB ('*[ ,;<>' || char(9, 10, 13) || ']*'))")
INVALID_EMAIL_SQL = ("((c.email != '' AND NOT " + _EMAIL_OK.format(e="c.email") + ")"
                     " OR (c.email2 != '' AND NOT " + _EMAIL_OK.format(e="c.email2") + "))")
INVALID_POSTAL_CODE_SQL = (
    "(c.postal_code != '' AND lower(trim(c.country)) IN ('', 'france', 'fr', 'fra')"
    " AND (length(c.postal_code) != 5 OR c.postal_code GLOB '*[^0-9]*'))")


def _on_contacts(expression: str) -> str:
    """An expression on ``c.`` columns as an index on contacts writes it (no alias)."""
    return expression.replace("c.", "")


CLEAN_FILE_INDEXES = f"""
CREATE INDEX duplicate_dismissals_b ON duplicate_dismissals(contact_b);
CREATE INDEX contacts_invalid_email ON contacts(id) WHERE {_on_contacts(INVALID_EMAIL_SQL)};
CREATE INDEX contacts_invalid_postal_code ON contacts(id)
    WHERE {_on_contacts(INVALID_POSTAL_CODE_SQL)};
"""

_CUSTOM_JSON = "CASE WHEN json_valid(new.custom) THEN new.custom ELSE '{}' END"
CLEAN_FILE_TRIGGERS = f"""
CREATE TRIGGER contacts_custom_names_ai AFTER INSERT ON contacts
WHEN new.custom != '{{}}' BEGIN
    INSERT OR IGNORE INTO custom_fields(name) SELECT key FROM json_each({_CUSTOM_JSON});
END;

CREATE TRIGGER contacts_custom_names_au AFTER UPDATE OF custom ON contacts
WHEN new.custom != '{{}}' BEGIN
    INSERT OR IGNORE INTO custom_fields(name) SELECT key FROM json_each({_CUSTOM_JSON});
END;
"""

FILL_CUSTOM_FIELDS = """
INSERT OR IGNORE INTO custom_fields(name)
    SELECT DISTINCT j.key FROM contacts c, json_each(c.custom) j
     WHERE c.custom != '{}' AND json_valid(c.custom);
"""

TABLES += CLEAN_FILE_TABLES
INDEXES += CLEAN_FILE_INDEXES
TRIGGERS += CLEAN_FILE_TRIGGERS
