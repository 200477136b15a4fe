# SPDX-License-Identifier: LGPL-2.1-or-later
"""notification-test-server.py — a desktop's notification service for the tests: owns
org.freedesktop.Notifications on the session bus ($DBUS_SESSION_BUS_ADDRESS) and records each
Notify call as one JSON line (app_name, summary, body, hints' urgency, time) in FILE, written
before the call returns. Once the name is owned it prints "READY" on stdout; SIGTERM or SIGINT
stops it (exit status 0); losing the name, or not getting it, is exit status 1.

    /usr/bin/python3 notification-test-server.py FILE

Run it with Debian's python3 (it needs python3-gi)."""

import json
import signal
import sys
import time

from gi.repository import Gio, GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE_XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg name="app_name" type="s" direction="in"/>
      <arg name="replaces_id" type="u" direction="in"/>
      <arg name="app_icon" type="s" direction="in"/>
      <arg name="summary" type="s" direction="in"/>
      <arg name="body" type="s" direction="in"/>
      <arg name="actions" type="as" direction="in"/>
      <arg name="hints" type="a{sv}" direction="in"/>
      <arg name="expire_timeout" type="i" direction="in"/>
      <arg name="id" type="u" direction="out"/>
    </method>
    <method name="CloseNotification">
      <arg name="id" type="u" direction="in"/>
    </method>
    <method name="GetCapabilities">
      <arg name="capabilities" type="as" direction="out"/>
    </method>
    <method name="GetServerInformation">
      <arg name="name" type="s" direction="out"/>
      <arg name="vendor" type="s" direction="out"/>
      <arg name="version" type="s" direction="out"/>
      <arg name="spec_version" type="s" direction="out"/>
    </method>
    <signal name="NotificationClosed">
      <arg name="id" type="u"/>
      <arg name="reason" type="u"/>
    </signal>
  </interface>
</node>
"""


class Server:
    def __init__(self, path):
        self.output = open(path, "a", encoding="utf-8")
        self.last_id = 0
        self.status = 0
        self.loop = GLib.MainLoop()

    def on_call(self, connection, sender, path, interface, method, parameters, invocation):
        if method == "Notify":
            app_name, replaces_id, _icon, summary, body, _actions, hints, _timeout = parameters.unpack()
            self.last_id += 1
            record = {
                "app_name": app_name,
                "replaces_id": replaces_id,
                "summary": summary,
                "body": body,
                "urgency": hints.get("urgency"),
                "time": time.time(),
            }
            self.output.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.output.flush()
            invocation.return_value(GLib.Variant("(u)", (self.last_id,)))
        elif method == "CloseNotification":
            invocation.return_value(None)
        elif method == "GetCapabilities":
            invocation.return_value(GLib.Variant("(as)", (["body"],)))
        elif method == "GetServerInformation":
            invocation.return_value(GLib.Variant("(ssss)", ("notification-test-server", "o365-account", "1", "1.2")))

    def on_bus(self, connection, name):
        info = Gio.DBusNodeInfo.new_for_xml(INTERFACE_XML)
        connection.register_object(PATH, info.interfaces[0], self.on_call, None, None)

    def on_name_acquired(self, connection, name):
        print("READY", flush=True)

    def on_name_lost(self, connection, name):
        print(f"notification-test-server: {NAME} not owned (no bus, or taken)", file=sys.stderr)
        self.status = 1
        self.loop.quit()

    def run(self):
        Gio.bus_own_name(Gio.BusType.SESSION, NAME, Gio.BusNameOwnerFlags.DO_NOT_QUEUE,
                         self.on_bus, self.on_name_acquired, self.on_name_lost)
        for signum in (signal.SIGTERM, signal.SIGINT):
            GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, self.stop)
        self.loop.run()
        self.output.close()
        return self.status

    def stop(self):
        self.loop.quit()
        return GLib.SOURCE_REMOVE


def main():
    if len(sys.argv) != 2:
        print("usage: notification-test-server.py FILE", file=sys.stderr)
        return 64
    return Server(sys.argv[1]).run()


if __name__ == "__main__":
    sys.exit(main())
