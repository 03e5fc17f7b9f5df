from aiohttp.test_utils import make_mocked_request
from engineio.async_drivers.aiohttp import translate_request

from classroom_helper.adapters.engineio_aiohttp import RequestEnviron

HEADERS = [
    ("Host", "sanad.example.edu"),
    ("Origin", "https://lms.example.edu"),
    ("Upgrade", "websocket"),
    ("Connection", "Upgrade"),
    ("Content-Type", "text/plain"),
    ("Content-Length", "12"),
    ("X-Forwarded-Proto", "https"),
    ("Accept-Encoding", "gzip"),
    ("Accept-Encoding", "br"),
]


def test_the_environ_reads_what_the_driver_copies():
    request = make_mocked_request("GET", "/socket.io/?EIO=4&transport=websocket", headers=HEADERS)
    copied, read = translate_request(request), RequestEnviron(request)
    for key, value in copied.items():
        assert key in read and read[key] == value and read.get(key) == value, key
    assert read["HTTP_ACCEPT_ENCODING"] == "gzip,br"
    for absent in ("HTTP_COOKIE", "HTTP_CONTENT_TYPE", "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"):
        assert absent not in copied and absent not in read and read.get(absent, 7) == 7
    assert len(dict.items(read)) == 1  # the request only: nothing copied


def test_without_a_forwarded_scheme_or_a_body():
    request = make_mocked_request("GET", "/socket.io/?EIO=4&transport=polling")
    copied, read = translate_request(request), RequestEnviron(request)
    assert read["wsgi.url_scheme"] == copied["wsgi.url_scheme"] == "http"
    assert "CONTENT_LENGTH" not in copied and "CONTENT_LENGTH" not in read
