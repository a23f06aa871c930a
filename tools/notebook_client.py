"""A notebook client that cannot miss a kernel's reply, for every tool that executes.

Why the stock client can stall on a widget cell
-----------------------------------------------
nbclient waits for a cell's ``execute_reply`` with one long ``poll`` of the shell socket
(a ``zmq.asyncio`` socket; the poll lasts the whole cell timeout). While it waits, its
stand-in for the Output widget (``nbclient.output_widget.OutputWidget``, active when
``store_widget_state=True``) answers every output the kernel sends into an Output widget
by sending a ``comm_msg`` back on the same shell socket. jupyter_client sends through a
*synchronous* shadow of the socket (``Session.send``), behind the back of the asyncio
wrapper. A ZeroMQ socket's file descriptor is edge-triggered, and every send processes
the socket's pending commands: if the ``execute_reply`` has arrived but the event loop
has not yet seen it, the send consumes the notification. The reply then sits in the
socket's queue, the kernel is idle, and the poll wakes only when its timeout runs out
(900 s for a chapter). ``ipywidgets.interactive_output``, which our
``widgets.interactive_plot`` uses, draws into an Output widget, so every interactive
demo is exposed; the race needs the reply to arrive while the client is handling the
drawing's output, which a busy machine makes likelier.

The fix, at the two places it belongs
--------------------------------------
1. After every send on the shell channel, re-arm the asyncio socket by reading its
   ``EVENTS`` option through the asyncio wrapper (pyzmq's own way: its getter schedules
   the delivery of whatever the send made pending).
2. A watchdog: the wait for a reply is cut into slices of ``SLICE_SECONDS``; every slice
   is a new poll, and a new poll checks the socket's level state, so even a notification
   lost some other way is found within one slice. The cell timeout is unchanged and
   still applies to the whole wait. ``lost_wakeups`` counts the replies a slice's poll
   returned only at the end of its slice, having waited half a slice or more: lost
   wake-ups, and on a loaded machine also an event loop that was not scheduled for that
   long (the two look the same from inside the loop). It is a diagnostic; what matters
   is that no reply waits longer than one slice.
"""

from __future__ import annotations

import time
import types
from datetime import UTC, datetime
from queue import Empty
from typing import Any

import zmq
from nbclient import NotebookClient
from nbclient.util import run_sync

SLICE_SECONDS = 1.0  # longest a reply can sit unseen in the shell socket's queue


def guard_shell_channel(channel: Any) -> Any:
    """Make ``channel`` (an ``AsyncZMQSocketChannel``) immune to lost wake-ups.

    Returns the same channel, its ``send`` and ``get_msg`` replaced (see the module).
    """
    if getattr(channel, "lost_wakeups", None) is not None:
        return channel
    send_unguarded = channel.send
    get_msg_unguarded = channel.get_msg
    channel.lost_wakeups = 0

    def send(self: Any, msg: dict[str, Any]) -> None:
        send_unguarded(msg)
        # Read through the asyncio wrapper, EVENTS schedules a pending poll's wake-up
        # if the send consumed the socket's notification.
        self.socket.get(zmq.EVENTS)

    async def get_msg(self: Any, timeout: float | None = None) -> dict[str, Any]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            step = SLICE_SECONDS if remaining is None else min(SLICE_SECONDS, remaining)
            started = time.monotonic()
            try:
                message = await get_msg_unguarded(timeout=max(step, 0.0))
            except Empty:  # nothing in this slice
                if remaining is not None and remaining <= SLICE_SECONDS:
                    raise
                continue
            if step >= SLICE_SECONDS and time.monotonic() - started >= 0.99 * step:
                # The poll slept through its slice; count it if the message had been
                # waiting (sent half a slice ago or more), not if it just came in.
                sent = message.get("header", {}).get("date")
                waited = (
                    (datetime.now(UTC) - sent).total_seconds()
                    if isinstance(sent, datetime)
                    else step
                )
                self.lost_wakeups += waited >= 0.5 * step
            return message

    channel.send = types.MethodType(send, channel)
    channel.get_msg = types.MethodType(get_msg, channel)
    return channel


class ReliableNotebookClient(NotebookClient):
    """``nbclient.NotebookClient`` whose shell channel is guarded (see the module)."""

    async def async_start_new_kernel_client(self) -> Any:
        """Start the kernel client as nbclient does, then guard its shell channel."""
        client = await super().async_start_new_kernel_client()
        guard_shell_channel(client.shell_channel)
        return client

    # nbclient binds the synchronous twin to its own coroutine; bind it to ours.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    @property
    def lost_wakeups(self) -> int:
        """Replies the watchdog found that the event loop had not been told about."""
        channel = getattr(self.kc, "shell_channel", None)
        return getattr(channel, "lost_wakeups", 0) or 0
