"""Shared pieces of the demo builder: constants, names and small date helpers."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEMO_PASSWORD = "coachprog-demo"
PROGRAMME_NAME = "Improvement Coaching Programme"
LONDON = ZoneInfo("Europe/London")

# The accounts the README lists: (email, display name, role in the demo).
DEMO_ACCOUNTS = [
    ("lead@example.org", "Priya Shah", "Programme lead"),
    ("coach@example.org", "Tom Okafor", "Coach (Newham Community Health teams)"),
    ("coach2@example.org", "Sarah Lewis", "Coach (Tower Hamlets Mental Health teams)"),
    ("sponsor@example.org", "Dr Helen Marsh", "Sponsor of two projects"),
    ("sponsor2@example.org", "James Adeyemi", "Sponsor of two other projects"),
    ("member@example.org", "Aisha Begum", "Team member of one of Dr Marsh's projects"),
    ("qilead@example.org", "Rachel Green", "QI lead, supervises both coaches"),
]

NCVO = ("NCVO, London", "Society Building, 8 All Saints Street, London N1 9RL")
LUTON = ("Hampton by Hilton, Luton Airport", "42-50 Kimpton Road, Luton LU2 0FP")
PARTICIPANT_NAMES = [
    "Amara Nwosu",
    "Ben Clarke",
    "Chloe Patel",
    "Daniel Hughes",
    "Elif Yilmaz",
    "Fatima Rahman",
    "George Mensah",
    "Hannah Brooks",
    "Imran Qureshi",
    "Julia Novak",
]
TEAM_NAMES = [
    "Kofi Asante",
    "Laura Bennett",
    "Mohammed Ali",
    "Nadia Hussain",
    "Oliver Grant",
    "Parveen Akhtar",
    "Rosa Martinez",
    "Samuel Owusu",
    "Tara Doyle",
    "Usha Rao",
    "Victor Chen",
    "Wendy Ward",
]
APPLICANT_NAMES = ["Yasmin Farah", "Zoe Turner", "Adam Kowalski", "Bukola Adebayo"]


def slug(name: str) -> str:
    return name.lower().replace(" ", ".").replace("'", "")


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
