"""The Socket.IO endpoint's transport settings (docs/performance.md: memory per connection)."""

import aiohttp


async def test_websockets_refuse_permessage_deflate_that_browsers_offer(server):
    url = server.make_url("/socket.io/?EIO=4&transport=websocket")
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, compress=15) as ws,  # as a browser offers it
    ):
        assert ws.compress == 0
        opening = await ws.receive_str(timeout=5)
        assert opening.startswith("0{") and '"sid"' in opening


async def test_long_polling_still_opens_a_session(client):
    response = await client.get("/socket.io/?EIO=4&transport=polling")
    assert response.status == 200
    assert (await response.text()).startswith("0{")
