import asyncio


async def eventually(check, within: float = 10.0) -> None:
    """Wait until `await check()` is true: the app does this work in the background, with no
    event to wait on, so the database is asked again every 50 ms."""
    async with asyncio.timeout(within):
        while True:
            if await check():
                return
            await asyncio.sleep(0.05)
