// The store's floor: what SQLite alone costs per report for the statements gongkai runs, with no
// Swift, no messaging and no parsing in the way. Run by bench/store_floor.py, which see.
//
// It copies the schema of a real gongkai store (every table, index, trigger and view, in creation
// order) into a fresh file with the pragmas `SummaryStore` sets, loads up to 5,000 real `reports`
// rows, and then replays, for COUNT reports:
//   - the feeder: `INSERT INTO tasks (job_id, path) ... ON CONFLICT DO NOTHING` in transactions of
//     4,096 paths (the walk slice), paths in a scattered order like readdir's;
//   - the collector: per batch of BATCH results one transaction with one timestamp query; per result
//     the task-exists check, the document insert (`ON CONFLICT (sha256) DO NOTHING`, `first_job_id`
//     by sub-select) and the task update, as SummaryStore.commit does.
// Left out, so the floor errs low: findings (0.06 per report in the generated corpus), the feeder's job
// check and its paging of pending tasks, and the interleaving of feeder and collector transactions
// (here all tasks are added first).
// Each report gets a new content hash, random (as real SHA-256s are) or `sequential` (to show what
// the random index costs). `documents` stores the documents alone: no task rows, no feeder, no task
// check or update (what the store would cost without its durable ledger, which gongkai needs).
// CPU time is getrusage (user + system).
//
// usage: store_floor SOURCE_STORE OUT_STORE COUNT [BATCH] [random|sequential|documents]
// prints one JSON object.
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static sqlite3 *db;

static void check(int rc, int line) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "store_floor.c:%d: %s\n", line, sqlite3_errmsg(db));
        exit(1);
    }
}
#define CHECK(x) check((x), __LINE__)

static double cpu_seconds(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static double wall_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void step(sqlite3_stmt *statement) {
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {}
    CHECK(rc);
    sqlite3_reset(statement);
}

/// Appends to a growing string.
static void append(char **buffer, size_t *length, const char *text) {
    size_t n = strlen(text);
    *buffer = realloc(*buffer, *length + n + 1);
    memcpy(*buffer + *length, text, n + 1);
    *length += n;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: store_floor SOURCE_STORE OUT_STORE COUNT [BATCH] [random|sequential|documents]\n");
        return 2;
    }
    const char *source_path = argv[1], *out_path = argv[2];
    int count = atoi(argv[3]);
    int batch = argc > 4 ? atoi(argv[4]) : 2000;
    const char *mode = argc > 5 ? argv[5] : "random";
    int sequential = strcmp(mode, "sequential") == 0;
    int documents_only = strcmp(mode, "documents") == 0;
    if (count < 1 || batch < 1 || !(sequential || documents_only || strcmp(mode, "random") == 0)) {
        fprintf(stderr, "store_floor: COUNT and BATCH must be at least 1, the mode random, sequential or documents\n");
        return 2;
    }

    sqlite3 *source;
    if (sqlite3_open_v2(source_path, &source, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "cannot open %s\n", source_path);
        return 1;
    }
    remove(out_path);
    CHECK(sqlite3_open(out_path, &db));
    CHECK(sqlite3_exec(db,
                       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                       "PRAGMA wal_autocheckpoint = 8000; PRAGMA cache_size = -8192;",
                       NULL, NULL, NULL));

    // The schema, in creation order.
    sqlite3_stmt *schema;
    if (sqlite3_prepare_v2(source,
                           "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
                           -1, &schema, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", source_path, sqlite3_errmsg(source));
        return 1;
    }
    CHECK(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL));
    while (sqlite3_step(schema) == SQLITE_ROW) {
        CHECK(sqlite3_exec(db, (const char *)sqlite3_column_text(schema, 0), NULL, NULL, NULL));
    }
    sqlite3_finalize(schema);
    CHECK(sqlite3_exec(db, "INSERT INTO jobs (id, name, roots, recursive) VALUES (1, 'floor', '[]', 0); COMMIT",
                       NULL, NULL, NULL));

    // Real rows, as value copies; the insert lists their columns.
    enum { MAX_ROWS = 5000 };
    sqlite3_stmt *select;
    if (sqlite3_prepare_v2(source, "SELECT * FROM reports LIMIT 5000", -1, &select, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", source_path, sqlite3_errmsg(source));
        return 1;
    }
    int columns = sqlite3_column_count(select);
    int sha_column = -1, status_column = -1, job_column = -1, task_column = -1, stored_column = -1;
    char *names = NULL, *values = NULL;
    size_t names_length = 0, values_length = 0;
    for (int c = 0; c < columns; c++) {
        const char *name = sqlite3_column_name(select, c);
        if (strcmp(name, "sha256") == 0) sha_column = c;
        if (strcmp(name, "status") == 0) status_column = c;
        if (strcmp(name, "stored_at") == 0) stored_column = c;
        if (strcmp(name, "first_job_id") == 0) job_column = c;
        if (strcmp(name, "first_task_id") == 0) task_column = c;
        append(&names, &names_length, c ? "," : "");
        append(&names, &names_length, name);
        append(&values, &values_length, c ? "," : "");
        append(&values, &values_length, strcmp(name, "first_job_id") == 0 && !documents_only ? "(SELECT job_id FROM tasks WHERE id = ?)" : "?");
    }
    sqlite3_value ***rows = calloc(MAX_ROWS, sizeof *rows);
    int row_count = 0;
    while (row_count < MAX_ROWS && sqlite3_step(select) == SQLITE_ROW) {
        rows[row_count] = calloc(columns, sizeof(sqlite3_value *));
        for (int c = 0; c < columns; c++) rows[row_count][c] = sqlite3_value_dup(sqlite3_column_value(select, c));
        row_count++;
    }
    sqlite3_finalize(select);
    if (row_count == 0 || sha_column < 0 || status_column < 0 || stored_column < 0 || job_column < 0 || task_column < 0) {
        fprintf(stderr, "%s has no reports rows of the expected shape\n", source_path);
        return 1;
    }
    char *insert_sql = NULL;
    size_t insert_length = 0;
    append(&insert_sql, &insert_length, "INSERT INTO reports (");
    append(&insert_sql, &insert_length, names);
    append(&insert_sql, &insert_length, ") VALUES (");
    append(&insert_sql, &insert_length, values);
    append(&insert_sql, &insert_length, ") ON CONFLICT (sha256) DO NOTHING");

    sqlite3_stmt *insert_task, *task_exists, *insert_report, *update_task, *timestamp;
    CHECK(sqlite3_prepare_v2(db, "INSERT INTO tasks (job_id, path) VALUES (1, ?) ON CONFLICT (job_id, path) DO NOTHING",
                             -1, &insert_task, NULL));
    CHECK(sqlite3_prepare_v2(db, "SELECT 1 FROM tasks WHERE id = ?", -1, &task_exists, NULL));
    CHECK(sqlite3_prepare_v2(db, insert_sql, -1, &insert_report, NULL));
    CHECK(sqlite3_prepare_v2(db,
                             "UPDATE tasks SET state = ?, status = ?, status_message = ?, sha256 = ?, finished_at = ? "
                             "WHERE id = ?",
                             -1, &update_task, NULL));
    CHECK(sqlite3_prepare_v2(db, "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", -1, &timestamp, NULL));

    // The feeder.
    double cpu0 = cpu_seconds(), wall0 = wall_seconds();
    char path[128];
    for (int i = 0; i < count && !documents_only; i += 4096) {
        CHECK(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL));
        for (int j = i; j < i + 4096 && j < count; j++) {
            unsigned scattered = (unsigned)j * 2654435761u % 10000000u;
            snprintf(path, sizeof path, "/srv/reports/2024/corpus/%07u_2024.txt", scattered);
            sqlite3_bind_text(insert_task, 1, path, -1, SQLITE_TRANSIENT);
            step(insert_task);
        }
        CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL));
    }
    double cpu1 = cpu_seconds(), wall1 = wall_seconds();

    // The collector.
    char hash[65];
    unsigned long long state = 88172645463325252ull;
    for (int i = 0; i < count; i += batch) {
        CHECK(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL));
        CHECK(sqlite3_step(timestamp));
        char now[40];
        snprintf(now, sizeof now, "%s", (const char *)sqlite3_column_text(timestamp, 0));
        sqlite3_reset(timestamp);
        for (int j = i; j < i + batch && j < count; j++) {
            sqlite3_int64 task = j + 1;  // the feeder's ids
            if (!documents_only) {
                sqlite3_bind_int64(task_exists, 1, task);
                step(task_exists);
            }
            if (sequential) {
                snprintf(hash, sizeof hash, "%064d", j);
            } else {
                for (int h = 0; h < 64; h += 16) {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    snprintf(hash + h, 17, "%016llx", state);
                }
            }
            sqlite3_value **row = rows[j % row_count];
            for (int c = 0; c < columns; c++) sqlite3_bind_value(insert_report, c + 1, row[c]);
            sqlite3_bind_text(insert_report, sha_column + 1, hash, 64, SQLITE_TRANSIENT);
            sqlite3_bind_text(insert_report, stored_column + 1, now, -1, SQLITE_TRANSIENT);
            if (documents_only) {
                sqlite3_bind_null(insert_report, job_column + 1);
                sqlite3_bind_null(insert_report, task_column + 1);
                step(insert_report);
                continue;
            }
            sqlite3_bind_int64(insert_report, job_column + 1, task);
            sqlite3_bind_int64(insert_report, task_column + 1, task);
            step(insert_report);
            sqlite3_bind_text(update_task, 1, "done", -1, SQLITE_STATIC);
            sqlite3_bind_value(update_task, 2, row[status_column]);
            sqlite3_bind_null(update_task, 3);
            sqlite3_bind_text(update_task, 4, hash, 64, SQLITE_TRANSIENT);
            sqlite3_bind_text(update_task, 5, now, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(update_task, 6, task);
            step(update_task);
        }
        CHECK(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL));
    }
    double cpu2 = cpu_seconds(), wall2 = wall_seconds();

    sqlite3_stmt *verify;
    CHECK(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM tasks WHERE state = 'done')",
                             -1, &verify, NULL));
    CHECK(sqlite3_step(verify));
    long long documents = sqlite3_column_int64(verify, 0), done = sqlite3_column_int64(verify, 1);
    sqlite3_finalize(verify);
    printf("{\"count\": %d, \"batch\": %d, \"mode\": \"%s\", \"sqlite\": \"%s\", \"documents\": %lld, \"tasks_done\": %lld, "
           "\"feeder_cpu_us\": %.2f, \"feeder_wall_us\": %.2f, \"collector_cpu_us\": %.2f, \"collector_wall_us\": %.2f}\n",
           count, batch, mode, sqlite3_libversion(), documents, done,
           (cpu1 - cpu0) * 1e6 / count, (wall1 - wall0) * 1e6 / count, (cpu2 - cpu1) * 1e6 / count,
           (wall2 - wall1) * 1e6 / count);
    sqlite3_finalize(insert_task);
    sqlite3_finalize(task_exists);
    sqlite3_finalize(insert_report);
    sqlite3_finalize(update_task);
    sqlite3_finalize(timestamp);
    sqlite3_close(db);
    sqlite3_close(source);
    return documents == count && done == (documents_only ? 0 : count) ? 0 : 1;
}
