#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A GTK 4 host in Python: the plug-in's settings widget (MailAccountType.create_settings_widget,
# through the typelib) embedded in a window of the host's own, under Xvfb with a private bus and
# keyring (run by harness/xvfb-run-test). A screenshot of the screen goes into the test build
# directory (python-gtk-settings.png) and must be a PNG with the window on it. TAP.
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures"))
import mailhost_test as t  # noqa: E402

t.run_sanitized()
t.require_env("O365_TEST_BUILDDIR", "O365_ACCOUNT_PLUGIN_PATH", "GI_TYPELIB_PATH", "DISPLAY")

import gi  # noqa: E402

gi.require_version("Gtk", "4.0")
gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf, GLib, GObject, Gtk  # noqa: E402

SCREENSHOT = os.path.join(t.BUILDDIR, "python-gtk-settings.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def iterate_until(condition, timeout=10):
    """Runs the default main context until condition() holds or @timeout seconds pass."""
    context = GLib.MainContext.default()
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        context.iteration(False)
        time.sleep(0.005)
    return condition()


def descendants(widget):
    child = widget.get_first_child()
    while child is not None:
        yield child
        yield from descendants(child)
        child = child.get_next_sibling()


tap = t.Tap()
loader = t.load_plugins()
account_type = loader.find_account_type("office365")
tap.ok(account_type.has_settings_widget(), "the office365 account type has a settings widget")

widget = account_type.create_settings_widget(None)
tap.ok(isinstance(widget, Gtk.Widget), "create_settings_widget() gives a Gtk.Widget", type(widget))
tap.ok(GObject.signal_lookup("done", type(widget)) != 0, "the widget has the “done” signal")
entries = [w for w in descendants(widget) if isinstance(w, (Gtk.Entry, Gtk.Text))]
tap.ok(len(entries) >= 3, "it has fields to fill in", f"{len(entries)} entries")

window = Gtk.Window(title="A Python host", child=widget)
window.present()
tap.ok(iterate_until(widget.get_mapped), "the widget is mapped in the host's window")
# Let it lay out and draw before the screen is read.
end = time.monotonic() + 0.3
iterate_until(lambda: time.monotonic() > end)

if os.path.exists(SCREENSHOT):
    os.unlink(SCREENSHOT)
# GTK must keep answering the X server while import reads the screen.
importer = subprocess.Popen(["/usr/bin/import", "-window", "root", SCREENSHOT],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
iterate_until(lambda: importer.poll() is not None, timeout=30)
if importer.poll() is None:
    importer.kill()
tap.ok(importer.wait() == 0, "import took a screenshot", importer.stderr.read().decode())

head = b""
if os.path.exists(SCREENSHOT):
    with open(SCREENSHOT, "rb") as f:
        head = f.read(24)
tap.ok(head.startswith(PNG_SIGNATURE) and head[12:16] == b"IHDR", f"{SCREENSHOT} is a PNG",
       head)
tap.note(f"screenshot: {SCREENSHOT}")
try:
    pixbuf = GdkPixbuf.Pixbuf.new_from_file(SCREENSHOT)
    pixels = pixbuf.get_pixels()
    step = pixbuf.get_n_channels()
    colours = {pixels[i:i + 3] for i in range(0, len(pixels) - 3, step * 7)}
    tap.ok(pixbuf.get_width() > 0 and len(colours) > 16,
           "it is not blank: the window is on it",
           f"{pixbuf.get_width()}x{pixbuf.get_height()}, {len(colours)} colours sampled")
except GLib.Error as error:
    tap.ok(False, "it is not blank: the window is on it", error.message)

window.destroy()
tap.ok(iterate_until(lambda: not widget.get_mapped()), "the window closes")
tap.done()
