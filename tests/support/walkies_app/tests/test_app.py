import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "app"))

from main import create_app  # noqa: E402


def client(tmp_path):
    return create_app(tmp_path / "test.db").test_client()


def test_home_is_empty_at_first(tmp_path):
    page = client(tmp_path).get("/").get_data(as_text=True)
    assert "Walkies" in page and "No walks booked yet." in page


def test_a_booking_is_listed(tmp_path):
    app = client(tmp_path)
    answer = app.post("/walks", data={"walker": "Sam", "day": "2026-12-03", "time": "12:30"})
    assert answer.status_code == 303
    assert "2026-12-03 at 12:30 with Sam" in app.get("/").get_data(as_text=True)


def test_a_missing_field_is_explained_and_what_was_typed_is_kept(tmp_path):
    answer = client(tmp_path).post("/walks", data={"walker": "Sam", "day": "", "time": ""})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Please fill this in." in page and 'value="Sam"' in page
