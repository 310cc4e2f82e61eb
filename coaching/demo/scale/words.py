"""The words scale data is made of: names, places, project ideas, measures and the text of logs.

Plain lists, combined by the builder's seeded random generator, so the same seed gives the
same people and projects. Nothing here is real: names are common British first names and
surnames, e-mail addresses are at example.org.
"""

FIRST_NAMES = [
    "Aaliyah", "Abdul", "Ada", "Adebola", "Aiden", "Alice", "Amara", "Amelia", "Amir", "Anita",
    "Arjun", "Asha", "Ben", "Bethany", "Callum", "Chidi", "Chloe", "Connor", "Daniel", "Deepa",
    "Eilidh", "Elif", "Ella", "Emeka", "Emily", "Esther", "Farah", "Fatima", "Finn", "Freya",
    "Gabriel", "Grace", "Hamza", "Hannah", "Harriet", "Ibrahim", "Imogen", "Isaac", "Ivy", "Jack",
    "Jasmine", "Joel", "Joseph", "Julia", "Kai", "Karen", "Kwame", "Laila", "Leah", "Liam",
    "Lucy", "Maya", "Mei", "Michael", "Mohammed", "Nadia", "Naomi", "Niamh", "Noah", "Olivia",
    "Omar", "Oscar", "Patience", "Paul", "Priya", "Rachel", "Rhys", "Rosa", "Ruth", "Sam",
    "Sanjay", "Sara", "Sian", "Sofia", "Tariq", "Thomas", "Uche", "Vikram", "Yusuf", "Zainab",
]  # fmt: skip

LAST_NAMES = [
    "Abbott", "Adeyemi", "Ahmed", "Akhtar", "Ali", "Anderson", "Asante", "Baker", "Begum", "Bennett",
    "Bhatt", "Brooks", "Campbell", "Chen", "Clarke", "Coleman", "Davies", "Dhillon", "Doyle", "Edwards",
    "Evans", "Farah", "Fernandes", "Fraser", "Green", "Griffiths", "Hall", "Hughes", "Hussain", "Iqbal",
    "Jackson", "James", "Jones", "Kaur", "Kelly", "Khan", "Kowalski", "Lewis", "Lopez", "Mahmood",
    "Marsh", "Martin", "Mensah", "Miah", "Morgan", "Murphy", "Nguyen", "Novak", "Nwosu", "O'Brien",
    "Okafor", "Okeke", "Owusu", "Patel", "Phillips", "Price", "Qureshi", "Rahman", "Rao", "Reid",
    "Roberts", "Robinson", "Scott", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Thompson", "Turner",
    "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Yilmaz", "Young",
]  # fmt: skip

# The demo loader's directorates come first, so the demo accounts keep their places.
DEMO_DIRECTORATES = ["Newham Community Health", "Tower Hamlets Mental Health", "Specialist Services"]
PLACES = [
    "Barking", "Barnet", "Bedford", "Bexley", "Brent", "Bristol", "Bromley", "Camden", "Croydon", "Ealing",
    "Enfield", "Greenwich", "Hackney", "Haringey", "Harrow", "Havering", "Hillingdon", "Hounslow",
    "Islington", "Kensington", "Kingston", "Lambeth", "Leeds", "Lewisham", "Luton", "Manchester",
    "Merton", "Newcastle", "Newham", "Norwich", "Nottingham", "Oxford", "Redbridge", "Richmond",
    "Sheffield", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest", "Wandsworth", "Westminster",
    "York",
]  # fmt: skip
SERVICES = [
    "Community Health", "Mental Health", "Acute Medicine", "Surgery", "Women's and Children's",
    "Primary Care", "Learning Disabilities", "Older Adults", "Forensic Services", "Specialist Services",
]  # fmt: skip

PROGRAMME_REGIONS = [
    "North East London", "North Central London", "South East London", "South West London",
    "North West London", "Bedfordshire and Luton", "Greater Manchester", "West Yorkshire",
    "South Yorkshire", "North East and North Cumbria", "Norfolk and Waveney", "Nottinghamshire",
    "Oxfordshire", "Bristol and North Somerset", "Kent and Medway", "Surrey", "Sussex", "Devon",
    "Cornwall", "Cheshire and Merseyside",
]  # fmt: skip

VENUES = [
    ("NCVO, London", "Society Building, 8 All Saints Street, London N1 9RL"),
    ("Hampton by Hilton, Luton Airport", "42-50 Kimpton Road, Luton LU2 0FP"),
    ("The Education Centre", "Trust Headquarters, 9 Alie Street, London E1 8DE"),
    ("Friends House", "173-177 Euston Road, London NW1 2BJ"),
]

JOB_ROLES = [
    "Ward manager", "Occupational therapist", "Clinical psychologist", "Service manager", "Charge nurse",
    "Peer support worker", "Physiotherapist", "Pharmacist", "Speech and language therapist",
    "Team leader", "Consultant psychiatrist", "Health visitor", "Practice nurse", "Dietitian",
]  # fmt: skip

# Project ideas: (title, aim "what", aim "how much"); a place in the directorate follows the title.
PROJECT_IDEAS = [
    (
        "Timely discharge summaries",
        "Increase the proportion of discharge summaries that reach the GP within 24 hours",
        "to 90%",
    ),
    (
        "Shorter waits for the memory clinic",
        "Reduce the wait from referral to first memory clinic appointment",
        "from 42 to 28 days",
    ),
    ("Fewer restrictive interventions", "Reduce restrictive interventions", "by 30%"),
    (
        "Physical health checks on depot",
        "Increase the proportion of people on depot medication with an annual physical health check",
        "to 85%",
    ),
    ("Fewer inpatient falls", "Reduce falls per 1,000 occupied bed days", "by 25%"),
    ("Fewer missed appointments", "Reduce the proportion of first appointments missed", "from 18% to 10%"),
    ("Faster triage of referrals", "Increase the proportion of referrals triaged within a week", "to 95%"),
    ("Safer medication rounds", "Reduce medication administration errors", "by 50%"),
    (
        "Care plans that people helped write",
        "Increase the proportion of care plans co-produced with the person",
        "to 80%",
    ),
    ("Earlier supported discharge", "Reduce the median length of stay", "from 28 to 21 days"),
    ("Fewer pressure ulcers", "Reduce new category 2 pressure ulcers", "by 40%"),
    (
        "Staff wellbeing huddles",
        "Increase the proportion of shifts that start with a wellbeing huddle",
        "to 75%",
    ),
    (
        "Quicker access to talking therapies",
        "Reduce the wait for a first talking therapy session",
        "to under 6 weeks",
    ),
    (
        "Sepsis screening on arrival",
        "Increase the proportion of patients screened for sepsis within an hour",
        "to 95%",
    ),
    ("Fewer readmissions", "Reduce readmissions within 30 days of discharge", "by 20%"),
    (
        "Smoking cessation offered to every inpatient",
        "Increase the proportion of smokers offered support on admission",
        "to 90%",
    ),
    (
        "Carers heard at every review",
        "Increase the proportion of reviews with the carer's views recorded",
        "to 80%",
    ),
    (
        "Reliable early warning scores",
        "Increase the proportion of observations with a complete early warning score",
        "to 98%",
    ),
    (
        "Less time on paperwork",
        "Reduce the time nurses spend on admission paperwork",
        "by 30 minutes a shift",
    ),
    (
        "Same-day discharge medicines",
        "Increase the proportion of discharge medicines ready by noon",
        "to 70%",
    ),
]
PROJECT_PLACES = [
    "Ruby Ward", "Sapphire Ward", "Emerald Ward", "Opal Ward", "Jade Ward", "Coral Ward", "the day unit",
    "the community team", "the crisis team", "the memory service", "the outpatient clinic",
    "the home treatment team", "the early intervention service", "the district nursing team",
    "the rehabilitation unit", "the assessment unit", "the perinatal service", "the eating disorders service",
    "the children's service", "the learning disability team",
]  # fmt: skip

DRIVERS = [
    (
        "Reliable processes",
        "Standard work everyone follows",
        ["A checklist at the point of care", "A visual board on the ward"],
    ),
    ("Enough capacity", "Fewer wasted slots", ["Text reminders two days before", "Triage within a week"]),
    (
        "A calm environment",
        "Early recognition of distress",
        ["A safety huddle each shift", "The sensory room open in the evening"],
    ),
    (
        "Skilled, confident staff",
        "Training at the right moment",
        ["Ten-minute teaching at handover", "Peer observation"],
    ),
    (
        "People and carers as partners",
        "Their views heard early",
        ["A carer's question at admission", "A one-page profile"],
    ),
]

# Measures: (name, unit, better direction, value type, level, spread, highest value or None, decimals).
# For a proportion, level is the usual rate and spread its noise.
OUTCOME_MEASURES = [
    ("Days from referral to first appointment", "days", "down", "value", 40, 4, None, 0),
    ("Discharge summaries sent within 24 hours", "%", "up", "proportion", 0.62, 0.06, None, 0),
    ("Falls per 1,000 occupied bed days", "per 1,000 bed days", "down", "value", 6.5, 1.5, None, 1),
    (
        "Restrictive interventions per 1,000 occupied bed days",
        "per 1,000 bed days",
        "down",
        "value",
        16,
        3,
        None,
        1,
    ),
    ("People with a care plan reviewed in 12 weeks", "%", "up", "proportion", 0.55, 0.05, None, 0),
    ("First appointments missed", "%", "down", "proportion", 0.18, 0.04, None, 0),
    ("Median length of stay", "days", "down", "value", 24, 3, None, 0),
    ("Patients screened for sepsis within an hour", "%", "up", "proportion", 0.7, 0.06, None, 0),
]
PROCESS_MEASURES = [
    ("Ward rounds using the checklist", "%", "up", "proportion", 0.5, 0.08, None, 0),
    ("Referrals triaged within a week", "%", "up", "proportion", 0.6, 0.07, None, 0),
    ("Safety huddles held", "huddles a week", "up", "value", 4, 1, 14, 0),
    ("Reminder texts sent two days before", "%", "up", "proportion", 0.7, 0.06, None, 0),
    ("Medication reviews completed", "reviews", "up", "value", 12, 3, None, 0),
    ("Staff trained in the new pathway", "%", "up", "proportion", 0.4, 0.05, None, 0),
    ("Observations with a complete early warning score", "%", "up", "proportion", 0.82, 0.05, None, 0),
    ("Carers' views recorded at review", "%", "up", "proportion", 0.45, 0.07, None, 0),
]
BALANCING_MEASURES = [
    ("Time spent on discharge paperwork", "minutes", "down", "value", 25, 4, 240, 0),
    ("Staff reporting extra workload", "%", "down", "proportion", 0.2, 0.05, None, 0),
    ("Readmissions within 30 days", "%", "down", "proportion", 0.1, 0.03, None, 0),
    ("Complaints about waiting", "complaints", "down", "value", 3, 1.5, None, 0),
]

MEETING_NOTES = [
    "Steady progress; the team reviewed the run chart together.",
    "Data collection is now routine. Planned the next PDSA cycle.",
    "Quiet meeting: two members on leave. Agreed to keep testing on one shift.",
    "The team saw their first shift on the chart and were energised.",
    "Spent the session on the driver diagram; the aim is clearer now.",
    "Discussed spreading the change to a second ward.",
]
NEXT_STEPS = [
    "Update the run chart with this week's data",
    "Plan the next PDSA cycle",
    "Ask the sponsor for protected time for the team",
    "Share the chart at the ward's business meeting",
    "Agree the operational definition with the data team",
    "Test the change on the night shift",
]
SUPERVISION_THEMES = [
    "Keeping teams' data collection going; handling a stuck team.",
    "Coaching a team whose lead is on long-term leave.",
    "When to teach and when to ask: letting the team find the answer.",
    "Working with a sponsor who wants results too soon.",
    "Spreading what works between teams in the directorate.",
]
REFLECTIONS = [
    "I notice I rescue the team when they go quiet; I will wait longer.",
    "I was more directive than I meant to be. Next time I will ask before suggesting.",
    "I felt out of my depth with the SPC chart; I will ask for a session on it.",
]
NARRATIVES = [
    "The team met {meetings} times in {month}. Data collection is reliable; the next cycle is planned.",
    "A quieter month: the team met {meetings} times in {month}, with winter pressures on the ward.",
    "The team met {meetings} times in {month} and tested the change on a second shift.",
    "Good energy in {month}: {meetings} meetings, and the run chart shows the first signs of improvement.",
]
SPONSOR_ASKS = [
    "Help to free up a pharmacist for one morning a week.",
    "Protected time for the team's weekly huddle.",
    "An introduction to the informatics team for a data extract.",
]
OUTCOMES = [
    "The aim was met and the change is now standard work; the team presented at the trust's QI forum.",
    "The project improved the process measure but not yet the outcome; the learning passed to a new team.",
    "Closed early: the service was reorganised. The team's driver diagram was handed to the new service.",
]
