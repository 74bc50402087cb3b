"""Production entry point: patch the standard library first, then build the app.

    QUIZROOM_ASYNC_MODE=eventlet (default) | gevent | threading

Monkey-patching lives here and in ``quizroom.cli`` only (eventlet is in maintenance
mode; keeping the async mode a setting lets gevent or threading replace it).
"""

import os

mode = os.environ.get("QUIZROOM_ASYNC_MODE", "eventlet")
if mode == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif mode == "gevent":
    from gevent import monkey

    monkey.patch_all()

from quizroom import create_app  # noqa: E402

app = create_app()
