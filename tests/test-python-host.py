#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A mail host in Python, through the typelib only (O365Mailhost-1 from build/mailhost): it loads
# the build tree's plug-in, lists the account types, makes an office365 account, stores its
# password in a private gnome-keyring, checks the connection and sends a message on a GLib main
# loop to the tests' Office-365-like server, then removes the account. Every call a host makes
# goes through the bindings, so a wrong annotation shows up here as a crash, a leak of the
# wrong kind, or a wrong value. TAP.
#
#   test-python-host.py O365_TEST_SERVER
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
import mailhost_test as t  # noqa: E402

t.run_sanitized()
t.require_env("O365_TEST_SRCDIR", "O365_TEST_CERTS", "O365_ACCOUNT_PLUGIN_PATH",
              "GI_TYPELIB_PATH")
if len(sys.argv) != 2:
    t.bail("usage: test-python-host.py O365_TEST_SERVER")

import gi  # noqa: E402

gi.require_version("GIRepository", "2.0")
gi.require_version("O365Mailhost", "1")
from gi.repository import Gio, GIRepository, GLib, O365Mailhost as Mail  # noqa: E402

USER = "python@contoso.test"
RECIPIENTS = ["bob@example.test", "carol@example.test"]
BODY = ("From: Python Host <python@contoso.test>\r\n"
        "To: Bob <bob@example.test>, Carol <carol@example.test>\r\n"
        "Subject: from PyGObject\r\n"
        "\r\n"
        "Sent through O365Mailhost-1.typelib.\r\n"
        ".a line with a leading dot\r\n").encode()

tap = t.Tap()
work = t.work_dir("python-host")
t.Keyring(work)
server = t.TestServer(sys.argv[1], work, USER)
ca_file = os.path.join(t.CERTS, "ca.pem")

typelib = GIRepository.Repository.get_default().get_typelib_path("O365Mailhost")
tap.ok(typelib.startswith(os.environ["GI_TYPELIB_PATH"]),
       "the typelib is the build tree's", f"loaded from {typelib}")

# --- the loader and the account types --------------------------------------------------------

loader = Mail.PluginLoader.new()
tap.equal(loader.dup_search_path(), os.environ["O365_ACCOUNT_PLUGIN_PATH"].split(":"),
          "the search path is $O365_ACCOUNT_PLUGIN_PATH")
tap.ok(loader.load_all(None), "load_all() loads the build tree's plug-ins")
plugin = loader.find_plugin("office365")
tap.ok(plugin is not None and plugin.is_active(), "the office365 plug-in is active")
info = plugin.get_info()
tap.ok(info.id == "office365" and "account-type:office365" in info.provides
       and info.abi.major == Mail.PLUGIN_ABI_MAJOR,
       "its metadata reads through the bindings (strings, a string array, the ABI)",
       f"{info.id} {info.provides} {info.abi.major}.{info.abi.minor}")

types = loader.list_account_types()
tap.ok(any(at.get_id() == "office365" for at in types), "list_account_types() has office365",
       [at.get_id() for at in types])
account_type = loader.find_account_type("office365")
endpoints = account_type.get_endpoints()
tap.ok(endpoints and endpoints[0].id == "worldwide" and endpoints[0].host == "smtp.office365.com"
       and endpoints[0].port == 587 and endpoints[0].security == Mail.Security.STARTTLS,
       "get_endpoints() is an array of records, the default first",
       [(e.id, e.host, e.port) for e in endpoints])
tap.equal(account_type.find_endpoint("no-such-endpoint"), None, "find_endpoint() may be None")

# --- an account: settings, keyring, registry -------------------------------------------------

# The fixture's way: properties set, save(), store_secret_async() (a GLib.Error would end the
# test here).
account = t.create_account(loader, "python-host", server, ca_file)
tap.ok(account.validate(), "the account validates")
tap.ok(account.dup_address() == USER and account.get_property("port") == server.port,
       "its properties read back", account.dup_address(), account.get_property("port"))
tap.ok("python-host" in Mail.Account.registry_list(None)
       and Mail.Account.registry_dup_type("python-host") == "office365",
       "the account registry lists it as office365", Mail.Account.registry_list(None))

transport = account.create_transport()
_, result = t.wait_async(lambda done: transport.check_async(None, done))
facts = transport.check_finish(result).unpack()
tap.ok(facts.get("tls-version", "").startswith("TLS") and facts.get("auth-mechanism")
       in facts.get("auth-mechanisms", []),
       "check_async() signs in with the stored password; its a{sv} facts", facts)

# --- sending, asynchronously -----------------------------------------------------------------

content = Gio.MemoryInputStream.new_from_bytes(GLib.Bytes.new(BODY))
message = Mail.Outgoing.new(USER, RECIPIENTS, content, len(BODY), Mail.OutgoingFlags.NONE)
tap.equal(message.get_recipients(), RECIPIENTS, "the message's recipients come back as a list")

transport = account.create_transport()
progress, transcript = [], []
transport.connect("progress", lambda _t, m, sent, total: progress.append((m, sent, total)))
transport.connect("transcript", lambda _t, line: transcript.append(line))
_, result = t.wait_async(lambda done: transport.submit_async([message], None, done))
submissions = transport.submit_finish(result)
tap.equal(len(submissions), 1, "submit_finish(): one submission per message")
submission = submissions[0]
tap.ok(submission.get_status() == Mail.SubmissionStatus.SENT, "the message was sent",
       submission.get_status(), submission.get_error())
tap.ok(submission.get_outgoing() == message, "the submission names its message")
replies = [(submission.get_recipient(i), submission.get_recipient_reply(i).get_code())
           for i in range(submission.get_n_recipients())]
tap.equal(replies, [(r, 250) for r in RECIPIENTS], "every recipient has its 250")
final = submission.get_final_reply()
final_line = final.to_string() if final else ""
tap.ok(final is not None and t.FINAL_REPLY_RE.match(final_line)
       and final.get_enhanced_code() == "2.0.0" and final.is_positive(),
       "the final reply is Office 365's: 250 2.0.0 OK <id> [Hostname=…]", final_line)
tap.note(f"final reply: {final_line}")
tap.ok(progress and progress[-1][0] == message and progress[-1][2] == len(BODY),
       "the progress signal carried the message and its size", progress[-3:])
tap.ok(any(line.startswith("C: MAIL FROM:") for line in transcript)
       and not any(server.password in line for line in transcript),
       "the transcript signal came, with the password redacted", transcript[:12])
stored = server.messages()
tap.ok(len(stored) == 1 and b"Sent through O365Mailhost-1.typelib." in stored[0]
       and b"\n.a line with a leading dot" in stored[0],
       "the server stored the message, dot-stuffing undone", stored[-1:] or "nothing stored")

# --- a failure in MAIL_TRANSPORT_ERROR -------------------------------------------------------

_, result = t.wait_async(lambda done: account.store_secret_async("not the password", None, done))
account.store_secret_finish(result)
transport = account.create_transport()
_, result = t.wait_async(lambda done: transport.submit_async([message], None, done))
try:
    transport.submit_finish(result)
    tap.ok(False, "a wrong password fails in MAIL_TRANSPORT_ERROR", "submit_finish() succeeded")
except GLib.Error as error:
    tap.ok(error.matches(Mail.TransportError.quark(), Mail.TransportError.AUTH_FAILED)
           and error.domain == "mail-transport-error-quark",
           "a wrong password fails as MailTransportError.AUTH_FAILED",
           f"{error.domain} {error.code}: {error.message}")
    tap.equal(Mail.TransportError.classify(error), Mail.FailureClass.PERMANENT,
              "TransportError.classify() says permanent")

# --- removal ---------------------------------------------------------------------------------

_, result = t.wait_async(lambda done: account.remove_async(None, done))
tap.ok(account.remove_finish(result) and "python-host" not in Mail.Account.registry_list(None),
       "remove_async() takes the account off the registry")
tap.done()
