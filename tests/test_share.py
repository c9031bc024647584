from dataclasses import replace

from radiomon.web import create_app
from radiomon.web.share import base_url, share_text


def test_share_text_is_station_time_sentence_and_link_on_three_lines():
    text = share_text(where="Radio Uno", when="mié 25/11/2026 08:01",
                      sentence="La presidenta  municipal\tvisitó el DIF", link="http://radiomon.local/grabacion/3?t=61")
    assert text.splitlines() == ["*Radio Uno* · mié 25/11/2026 08:01", "_«La presidenta municipal visitó el DIF»_",
                                 "http://radiomon.local/grabacion/3?t=61"]


def test_base_url_is_office_base_url_else_the_address_the_page_came_to(config):
    app = create_app(config)
    with app.test_request_context("/", base_url="http://192.168.1.20:8080"):
        assert base_url() == "http://192.168.1.20:8080"
    configured = replace(config, office=replace(config.office, base_url="https://radiomon.moroleon.gob.mx/"))
    with create_app(configured).test_request_context("/", base_url="http://192.168.1.20:8080"):
        assert base_url() == "https://radiomon.moroleon.gob.mx"
