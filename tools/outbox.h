/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* outbox.h — the durable outbox: messages accepted for sending and not yet delivered, kept under
 * $XDG_DATA_HOME/o365-account/outbox (directory 0700, files 0600) so that a crash, a lost
 * network or a refused connection never loses one.
 *
 * Each entry is a pair of files: ID.eml holds exactly the bytes to transmit, ID.meta (a GKeyFile)
 * the envelope and the state. Each is written to a temporary file, fsync()ed and renamed, data
 * first, then the directory is fsync()ed: the meta file's presence marks a complete entry.
 * Removing an entry removes the meta file first. An entry being written or sent is locked
 * (flock on its data file), so two processes never send the same message, and orphans of a
 * crashed writer are told apart from files still being written. No secret is ever stored here. */
#pragma once

#include <gio/gio.h>

#include "mail-outgoing.h"

G_BEGIN_DECLS

typedef enum
{
  OUTBOX_STATE_QUEUED,       /* waiting to be sent */
  OUTBOX_STATE_HELD_UNKNOWN, /* the server may have accepted it: never resent without asking */
  OUTBOX_STATE_FAILED,       /* refused for good; kept in failed/ so that nothing is lost */
  OUTBOX_STATE_IN_FLIGHT,    /* its end is being sent: the server may have it. Found with no live
                              * owner (its sender died), it is held as HELD_UNKNOWN */
  OUTBOX_STATE_NEEDS_SIGN_IN, /* the server refused the account's sign-in: sent by a flush once
                               * the password or sign-in is fixed */
} OutboxState;

/* The delivery status notification asked for (RFC 3461), each NULL when not. */
typedef enum
{
  OUTBOX_DSN_NOTIFY, /* NOTIFY=: NEVER, or SUCCESS,FAILURE,DELAY */
  OUTBOX_DSN_RETURN, /* RET=: FULL or HDRS */
  OUTBOX_DSN_ENVID,  /* ENVID=, in plain text */
  OUTBOX_N_DSN,
} OutboxDsn;

typedef struct
{
  char *id;
  char *account;     /* the address of the account that sends it */
  char *sender;      /* envelope sender (MAIL FROM) */
  char **recipients; /* envelope recipients (RCPT TO) */
  MailOutgoingFlags flags;
  goffset wire_size; /* octets on the wire, all line ends CRLF (for SIZE=), or -1 if unknown */
  char *dsn[OUTBOX_N_DSN];
  OutboxState state;
  guint attempts;
  char *last_error;        /* why the last attempt failed, or NULL */
  GDateTime *last_attempt; /* or NULL */
  GDateTime *created;
  int lock_fd;             /* >= 0 while this process holds the entry's lock */
  char *digest;            /* SHA-256 of the data, or NULL (queued by an older version) */
  gint64 next_attempt;     /* seconds since the epoch before which the server asked not to be
                            * tried again (Retry-After), or 0 */
} OutboxEntry;

typedef struct _Outbox Outbox;
typedef struct _OutboxDraft OutboxDraft;

/* Opens the outbox in @directory (NULL: the user's), creating it, and removes what crashed
 * writers left behind. */
Outbox *outbox_open (const char *directory, GError **error);
void outbox_free (Outbox *self);
const char *outbox_get_directory (Outbox *self);

/* Removes temporary files and data files without a meta file that no live process is writing;
 * returns how many files went, or -1 on error. */
int outbox_clean_orphans (Outbox *self, GError **error);

/* A new entry's data, written as it comes (a temporary file until committed). */
OutboxDraft *outbox_draft_new (Outbox *self, GError **error);
gboolean outbox_draft_write (OutboxDraft *draft, const void *data, gsize length, GError **error);
/* Makes the entry durable and queued. Returns: (transfer full) the entry, locked; @draft is
 * freed either way (on failure nothing of it is left). */
OutboxEntry *outbox_draft_commit (OutboxDraft *draft,
                                  const char *account,
                                  const char *sender,
                                  const char *const *recipients,
                                  MailOutgoingFlags flags,
                                  GError **error);
/* The DSN to ask for when it is sent (NULLs: none); before the commit. */
void outbox_draft_set_dsn (OutboxDraft *draft, const char *notify, const char *ret, const char *envid);
/* Discards an uncommitted draft. */
void outbox_draft_free (OutboxDraft *draft);

/* Every complete entry, oldest first, not locked: for showing. */
GPtrArray *outbox_list (Outbox *self, GError **error);
/* Another entry of the outbox (not failed/) that is the same submission as @entry: the same
 * bytes (which include the Message-ID) for the same account and envelope. Returns: its id, or
 * NULL. A caller that retries after EX_TEMPFAIL resubmits a message already queued. */
char *outbox_find_duplicate (Outbox *self, OutboxEntry *entry);
/* Entry @id, locked by this process (G_IO_ERROR_BUSY if another holds it). */
OutboxEntry *outbox_claim_entry (Outbox *self, const char *id, GError **error);
/* The entries in failed/, oldest first, not locked: for showing. */
GPtrArray *outbox_list_failed (Outbox *self, GError **error);
/* A person's decisions about entry @id, wherever it is (queued, held, needs-sign-in or in
 * failed/): send it again with the next flush, or delete it. An entry being sent is refused
 * (G_IO_ERROR_BUSY). */
gboolean outbox_requeue (Outbox *self, const char *id, GError **error);
gboolean outbox_discard (Outbox *self, const char *id, GError **error);
/* The entries of @account that may be sent now (queued, and held ones too when
 * @include_unknown), oldest first, each locked by this process; entries another process holds
 * are left out. */
GPtrArray *outbox_claim (Outbox *self, const char *account, gboolean include_unknown, GError **error);

/* The entry's data file, and (@size) its size on the wire, or -1 if unknown. */
char *outbox_entry_get_path (Outbox *self, OutboxEntry *entry);
GFileInputStream *outbox_entry_read (Outbox *self, OutboxEntry *entry, goffset *size, GError **error);

/* For a locked entry: counts an attempt that failed because of @reason and puts the entry in
 * @state (queued, held-unknown or needs-sign-in). */
gboolean outbox_entry_record_failure (Outbox *self,
                                      OutboxEntry *entry,
                                      OutboxState state,
                                      const char *reason,
                                      GError **error);
/* For a locked entry the server asked to try again in @seconds (Retry-After): counts the attempt
 * as outbox_entry_record_failure() does, leaves it queued and records the earliest next attempt
 * (a flush leaves it queued until then). */
gboolean outbox_entry_record_deferral (Outbox *self,
                                       OutboxEntry *entry,
                                       const char *reason,
                                       guint seconds,
                                       GError **error);
/* Whether @entry's next attempt is still in the future, as of @now (seconds since the epoch). */
gboolean outbox_entry_is_deferred (OutboxEntry *entry, gint64 now);
/* For a locked entry delivered to some of its recipients: keeps it for @recipients only (those
 * refused for a while), counting the attempt as outbox_entry_record_failure() does. */
gboolean outbox_entry_narrow_recipients (Outbox *self,
                                         OutboxEntry *entry,
                                         const char *const *recipients,
                                         OutboxState state,
                                         const char *reason,
                                         GError **error);
/* For a locked entry: durably marks it in flight, just before the server can have it. */
gboolean outbox_entry_mark_in_flight (Outbox *self, OutboxEntry *entry, GError **error);
/* For a locked entry: deletes it (it was delivered). */
gboolean outbox_entry_remove (Outbox *self, OutboxEntry *entry, GError **error);
/* For a locked entry: moves it to failed/ with @reason. Returns: the path of its data there. */
char *outbox_entry_move_to_failed (Outbox *self, OutboxEntry *entry, const char *reason, GError **error);

/* Releases this process's lock on @entry (another process may claim it then), keeping what
 * it knows of it. */
void outbox_entry_unlock (OutboxEntry *entry);
void outbox_entry_free (OutboxEntry *entry);

const char *outbox_state_to_string (OutboxState state);
/* The state named @name (as outbox_state_to_string() writes it); FALSE if none is. */
gboolean outbox_state_from_string (const char *name, OutboxState *state);
/* Whether a flush sends entries in @state (held ones only with @include_unknown). */
gboolean outbox_state_is_sendable (OutboxState state, gboolean include_unknown);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Outbox, outbox_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OutboxDraft, outbox_draft_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OutboxEntry, outbox_entry_free)

G_END_DECLS
