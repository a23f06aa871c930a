"""Notebook execution cannot stall: the lost wake-up of tools/notebook_client.py.

The first two tests reproduce the mechanism on a bare socket pair (no kernel, well under
a second each): a reply that arrives while a poll is pending, followed by a synchronous
send on the same socket, leaves the stock channel asleep until its timeout. The last
one runs a widget cell in a real kernel with the race window widened.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebook_client  # noqa: E402

POLL_SECONDS = 2.0  # the pending poll's timeout: how long a missed reply would wait


def _reply_while_polling(guarded: bool) -> float:
    """Seconds a shell-channel poll takes to see a reply when a send follows it."""
    import zmq
    import zmq.asyncio
    from jupyter_client.channels import AsyncZMQSocketChannel
    from jupyter_client.session import Session

    async def scenario() -> float:
        context = zmq.asyncio.Context()
        kernel = context.socket(zmq.ROUTER)
        port = kernel.bind_to_random_port("tcp://127.0.0.1")
        client = context.socket(zmq.DEALER)
        client.connect(f"tcp://127.0.0.1:{port}")
        session = Session(key=b"")
        channel = AsyncZMQSocketChannel(client, session)
        if guarded:
            notebook_client.guard_shell_channel(channel)
        try:
            channel.send(session.msg("execute_request", {"code": ""}))
            identity, *request = await kernel.recv_multipart()
            started = time.monotonic()
            waiting = asyncio.ensure_future(channel.get_msg(timeout=POLL_SECONDS))
            await asyncio.sleep(0.05)  # the poll is pending
            session.send(kernel, "execute_reply", {"status": "ok"}, ident=identity)
            time.sleep(0.1)  # the reply arrives while the client is busy...
            channel.send(session.msg("comm_msg", {}))  # ...and then sends
            reply = await waiting
            assert reply["msg_type"] == "execute_reply"
            return time.monotonic() - started
        finally:
            client.close(linger=0)
            kernel.close(linger=0)
            context.term()

    return asyncio.run(scenario())


def test_the_stock_channel_sleeps_through_a_reply_after_a_send():
    assert _reply_while_polling(guarded=False) >= 0.9 * POLL_SECONDS


def test_the_guarded_channel_sees_the_reply_at_once():
    assert _reply_while_polling(guarded=True) < 0.5


@pytest.mark.slow
def test_a_widget_cell_does_not_stall_even_with_a_widened_race(monkeypatch):
    import nbformat
    from nbclient import output_widget

    answer = output_widget.OutputWidget.sync_state

    def slow_answer(self):
        time.sleep(0.05)  # as a loaded machine would: the kernel's reply comes in now
        answer(self)

    monkeypatch.setattr(output_widget.OutputWidget, "sync_state", slow_answer)
    setup = "import time\nimport ipywidgets\nimport matplotlib.pyplot as plt\n"
    setup += "from dlcourse import widgets"
    demo = (
        "box = widgets.interactive_plot(\n"
        "    lambda n: plt.plot(range(n)), {'n': ipywidgets.IntSlider(value=3)}\n"
        ")\n"
        "time.sleep(0.01)\n"
        "box"
    )
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(demo)]
    )
    client = notebook_client.ReliableNotebookClient(
        notebook, timeout=30, kernel_name="python3", store_widget_state=True
    )
    slowest = 0.0
    with client.setup_kernel():
        client.execute_cell(notebook.cells[0], 0)
        for _ in range(3):
            started = time.monotonic()
            client.execute_cell(notebook.cells[1], 1)
            slowest = max(slowest, time.monotonic() - started)
    assert slowest < 10, f"a widget cell took {slowest:.1f} s: the reply was missed"
    assert client.widget_state, "the widget state was not recorded"
