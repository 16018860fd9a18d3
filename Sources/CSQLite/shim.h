// The system's SQLite 3 (Debian: libsqlite3-dev), for NetworkCore's storage.
#include <sqlite3.h>
