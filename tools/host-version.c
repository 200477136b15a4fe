/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-version.c — the --version report of the reference programs. */
#include "config.h"

#include <dlfcn.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <gmime/gmime.h>
#include <string.h>

#include "host-version.h"
#include "mail-plugin.h"

typedef const char *(*GnutlsCheckVersionFunc) (const char *required);

/* The file that holds @backend's code (glib-networking's GIO module), or NULL. */
static char *
dup_backend_path (GTlsBackend *backend)
{
  GTlsBackendInterface *iface = G_TLS_BACKEND_GET_INTERFACE (backend);
  Dl_info info;

  if (iface->get_certificate_type == NULL || dladdr ((void *) iface->get_certificate_type, &info) == 0
      || info.dli_fname == NULL)
    return NULL;
  return g_strdup (info.dli_fname);
}

/* The GnuTLS that the already loaded @path links, from its own gnutls_check_version(): looked up
 * in what the TLS backend loaded, so that the programs never link or load GnuTLS themselves. */
static char *
dup_gnutls_version (const char *path)
{
  void *handle = dlopen (path, RTLD_LAZY | RTLD_NOLOAD);
  GnutlsCheckVersionFunc check_version;
  char *version = NULL;

  if (handle == NULL)
    return NULL;
  /* A handle's symbols include those of the libraries it depends on. */
  check_version = (GnutlsCheckVersionFunc) dlsym (handle, "gnutls_check_version");
  if (check_version != NULL)
    version = g_strdup (check_version (NULL));
  dlclose (handle);
  return version;
}

/* The standard output of @argv (searched in PATH), stripped, or NULL when it fails. */
static char *
dup_command_output (const char *const *argv)
{
  g_autofree char *output = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &output, NULL, &wait_status, NULL)
      || !g_spawn_check_wait_status (wait_status, NULL))
    return NULL;
  g_strstrip (output);
  return *output != '\0' ? g_steal_pointer (&output) : NULL;
}

/* The version of the package that installed @path, as dpkg (Debian and its derivatives) says;
 * NULL elsewhere, or when no single package owns the file (a build tree, a diverted file). */
static char *
dup_package_version (const char *path)
{
  const char *search[] = { "dpkg-query", "--search", path, NULL };
  g_autofree char *owners = dup_command_output (search);
  g_auto (GStrv) lines = NULL;

  if (owners == NULL)
    return NULL;
  /* "PACKAGE: PATH"; diversions add lines of their own, shared files list "A, B: PATH". */
  lines = g_strsplit (owners, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *separator = strstr (lines[i], ": ");
      g_autofree char *package = NULL;

      if (separator == NULL || !g_str_equal (separator + 2, path))
        continue;
      package = g_strndup (lines[i], separator - lines[i]);
      if (strpbrk (package, " ,") == NULL)
        {
          const char *show[] = { "dpkg-query", "--show", "--showformat=${Version}", package, NULL };

          return dup_command_output (show);
        }
    }
  return NULL;
}

void
host_version_print (const char *program)
{
  /* The default backend loads glib-networking's module, and GnuTLS with it. */
  GTlsBackend *backend = g_tls_backend_get_default ();
  g_autofree char *backend_path = g_tls_backend_supports_tls (backend) ? dup_backend_path (backend) : NULL;
  g_autofree char *networking = backend_path != NULL ? dup_package_version (backend_path) : NULL;
  g_autofree char *gnutls = backend_path != NULL ? dup_gnutls_version (backend_path) : NULL;
  /* TRANSLATORS: a version that could not be found out */
  const char *unknown = _("unknown");

  g_print ("%s %s\n", program, PACKAGE_VERSION);
  /* TRANSLATORS: the version of the interface between the program and its mail plug-ins */
  g_print (_("plug-in ABI %u.%u\n"), MAIL_PLUGIN_ABI_MAJOR, MAIL_PLUGIN_ABI_MINOR);
  g_print ("GLib %u.%u.%u\n", glib_major_version, glib_minor_version, glib_micro_version);
  g_print ("GMime %u.%u.%u\n", gmime_major_version, gmime_minor_version, gmime_micro_version);
  g_print ("glib-networking %s (%s)\n", networking != NULL ? networking : unknown, G_OBJECT_TYPE_NAME (backend));
  g_print ("GnuTLS %s\n", gnutls != NULL ? gnutls : unknown);
}

void
host_version_add_option (GOptionContext *context, gboolean *requested)
{
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, requested, N_("Show the version and the libraries in use"), NULL },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}
