#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast of -1 to a function pointer, a macro that Swift
// cannot import; bind calls use this instead.
static inline sqlite3_destructor_type desync_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}
