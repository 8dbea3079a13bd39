"""An independent WebSocket client (Debian's python3-websockets) that drives the HTTP sample's /ws/echo.

Usage: websocket_client.py URL SCENARIO; prints one line per observation, which the C# test asserts on.
"""
import asyncio
import sys

import websockets


async def echo(ws):
    await ws.send("hello, \u00e9t\u00e9 \U0001f600")
    print("text", await ws.recv())
    await ws.send(bytes(range(256)))
    print("binary", (await ws.recv()) == bytes(range(256)))
    big = "x" * 500_000
    await ws.send(big)
    print("large", (await ws.recv()) == big)


async def fragments(ws):
    await ws.send(["frag", "mented ", "t\u00e9", "xt"])
    print("text", await ws.recv())
    await ws.send([b"\x01\x02", b"", b"\x03"])
    print("binary", (await ws.recv()).hex())


async def ping(ws):
    waiter = await ws.ping(b"are you there")
    await asyncio.wait_for(waiter, 10)
    print("pong")
    await ws.send("after ping")
    print("text", await ws.recv())


async def close(ws):
    await ws.close(code=4001, reason="done here")
    print("closed", ws.close_code)


async def too_big(ws):
    await ws.send("y" * (1024 * 1024 + 1))
    try:
        await asyncio.wait_for(ws.recv(), 10)
        print("no close")
    except websockets.exceptions.ConnectionClosed as closed:
        print("closed", closed.rcvd.code if closed.rcvd else None)


SCENARIOS = {"echo": echo, "fragments": fragments, "ping": ping, "close": close, "too-big": too_big}


async def main(url, scenario):
    async with websockets.connect(url, max_size=None, open_timeout=10, close_timeout=10) as ws:
        await SCENARIOS[scenario](ws)


asyncio.run(main(sys.argv[1], sys.argv[2]))
