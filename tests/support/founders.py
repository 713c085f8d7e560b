"""Thirty founders, thirty ways of writing: ideas and interview answers as people really type them.

Each set is an idea, its audience, the answers (by question key) and what a careful reader takes from
them: the features in order, and words that must (or must not) show up in a brief section. Used by
the offline co-founder's reading tests and by the tests of the apps it builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent import interview as iv


@dataclass(frozen=True)
class Founder:
    name: str
    idea: str
    audience: str
    answers: dict[str, str]
    features: list[str]
    users_has: tuple[str, ...] = ()
    users_lacks: tuple[str, ...] = ()
    metrics_has: tuple[str, ...] = ()
    value_has: tuple[str, ...] = ()
    style: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def facts(self) -> iv.IdeaFacts:
        return iv.facts(self.name, self.idea, self.audience)

    def answered(self) -> list[iv.Answered]:
        topics = {"problem": "problem", "users": "users", "value": "value", "competition": "competition",
                  "monetisation": "monetisation", "scope": "scope", "constraints": "constraints",
                  "success": "value", "first_hundred": "users", "marketplace_sides": "users", "mobile": "constraints"}
        return [iv.Answered(key=k, topic=topics.get(k, k), answer=v) for k, v in self.answers.items()]


FOUNDERS: list[Founder] = [
    Founder(
        "PlotShare", "Plot holders share part of their allotment plot with neighbours on the waiting list, agree a "
        "watering rota and log harvests.", "Allotment holders and people on waiting lists",
        {"problem": "Waiting lists for allotments are years long while many plots are half empty.",
         "users": "Jan, 62, has a full-size plot she can't keep up with; Sam, 29, has been on the list for 4 years.",
         "first_hundred": "Posters at the allotment gates and the council's newsletter.",
         "scope": "1. Plot holders offer part of their plot, with its size and a photo.\n"
                  "2. Neighbours browse offers near them and ask for a share.\n"
                  "3. Both sides agree a watering rota.\n"
                  "4. Log harvests: what, how much, when and who picked it.\n"
                  "5. Simple messages between plot holders and neighbours.",
         "success": "50 shared plots by the end of the summer"},
        ["Offer part of their plot", "Browse offers near them", "Agree a watering rota", "Log harvests",
         "Simple messages between plot holders and neighbours"],
        users_has=("Jan",), users_lacks=("Posters",), metrics_has=("50 shared plots",), style="numbered lines"),
    Founder(
        "Walkies", "Dog owners meet trusted local walkers.", "Dog owners in cities",
        {"scope": "Walker profiles, search by neighbourhood, booking a walk, photos after the walk"},
        ["Walker profiles", "Search by neighbourhood", "Booking a walk", "Photos after the walk"], style="comma list"),
    Founder(
        "Plantly", "An app that reminds you to water your plants.", "People with houseplants",
        {"scope": "reminders, a plant list and care tips", "users": "mostly young people in flats"},
        ["Reminders", "Plant list", "Care tips"], users_has=("young people",), style="terse lowercase"),
    Founder(
        "ShiftSwap", "Restaurant staff swap shifts without a group chat.", "Restaurant managers and their teams",
        {"scope": "- Weekly rota the manager publishes\n- Staff offer a shift they can't work\n"
                  "- Someone else claims it\n- Manager approves the swap\n- Notifications by email",
         "success": "- 10 restaurants using it weekly\n- Half of all swaps done in the app"},
        ["Weekly rota the manager publishes", "Offer a shift they can't work", "Someone else claims it",
         "Manager approves the swap", "Notifications by email"],
        metrics_has=("10 restaurants", "Half of all swaps"), style="dash bullets"),
    Founder(
        "TutorMatch", "Parents find vetted maths tutors for GCSE students.", "Parents of teenagers",
        {"scope": "Honestly the main thing is that parents can search tutors by subject and postcode, then they "
                  "book a trial lesson, and after the lesson they leave a review. Tutors need a profile with their "
                  "qualifications too."},
        ["Search tutors by subject and postcode", "Book a trial lesson", "Leave a review",
         "Profile with their qualifications"],
        style="one rambling paragraph"),
    Founder(
        "BookCircle", "Neighbours lend each other books.", "Readers in one neighbourhood",
        {"scope": "* list the books you own\n* borrow a book from a neighbour\n* mark it returned\n* a waiting list"},
        ["List the books you own", "Borrow a book from a neighbour", "Mark it returned", "Waiting list"],
        style="star bullets"),
    Founder(
        "FixIt", "Tenants report repairs to landlords and track them.", "Renters and small landlords",
        {"scope": "Report a repair with photos\nLandlord sees all open repairs\nStatus updates\nA history of past repairs",
         "users": "Renters in shared houses, and landlords with 1-5 properties.",
         "first_hundred": "Facebook groups for renters in Leeds."},
        ["Report a repair with photos", "Landlord sees all open repairs", "Status updates", "History of past repairs"],
        users_has=("shared houses",), users_lacks=("Facebook",), style="one per line, no markers"),
    Founder(
        "MealPrep", "Plan a week of family meals and get the shopping list.", "Busy parents",
        {"scope": "1) weekly meal planner 2) recipes the family likes 3) a shopping list made from the plan"},
        ["Weekly meal planner", "Recipes the family likes", "Shopping list made from the plan"],
        style="inline numbering"),
    Founder(
        "GigLog", "Freelance musicians track gigs and invoices.", "Freelance musicians",
        {"scope": "Three things: logging gigs, sending invoices and seeing who hasn't paid yet."},
        ["Logging gigs", "Sending invoices", "Seeing who hasn't paid yet"], style="lead-in then a list"),
    Founder(
        "CareCal", "Families share the care of an elderly parent.", "Adult children caring for a parent",
        {"scope": "The first version needs to let siblings share a calendar of visits. Everyone should be able to "
                  "add notes after a visit. Then a list of medicines with reminders. Also a way to split costs.",
         "success": "20 families use it every week. Fewer missed medicines."},
        ["Share a calendar of visits", "Add notes after a visit", "List of medicines with reminders", "Split costs"],
        metrics_has=("20 families", "Fewer missed medicines"), style="full sentences"),
    Founder(
        "KitSwap", "Parents swap outgrown kids' sports kit.", "Parents of children in sports clubs",
        {"scope": "post kit ur kid outgrew w/ size n photo\nsearch by sport + size\nrequest a swap\nchat"},
        ["Post kit ur kid outgrew", "Search by sport + size", "Request a swap", "Chat"], style="text-speak"),
    Founder(
        "Colourly", "Interior designers share colour palettes with clients.", "Interior designers",
        {"scope": "Colour palettes with names and swatches, favourite palettes, share a palette with a client, "
                  "organise palettes into boards"},
        ["Colour palettes with names and swatches", "Favourite palettes", "Share a palette with a client", "Organise palettes into boards"],
        style="British spelling"),
    Founder(
        "Colorly", "Interior designers share color palettes with clients.", "Interior designers",
        {"scope": "Color palettes with names and swatches, favorite palettes, share a palette with a client, "
                  "organize palettes into boards"},
        ["Color palettes with names and swatches", "Favorite palettes", "Share a palette with a client", "Organize palettes into boards"],
        style="American spelling"),
    Founder(
        "RunClub", "Local running clubs organise group runs.", "Running club organisers",
        {"scope": "Orgnisers post runs with a route and a pace\nRunners sign up for a run\nA leaderbaord\nPhotos from the run",
         "value": "Organisers stop chasing people on WhatsApp and runners know exactly where to be."},
        ["Post runs with a route and a pace", "Sign up for a run", "Leaderbaord", "Photos from the run"],
        value_has=("WhatsApp",), style="typos"),
    Founder(
        "Foodbank", "Food banks match donations to what they need this week.", "Food bank volunteers",
        {"scope": "• Needs list the food bank updates\n• Donors pledge items\n• Drop-off times\n• Volunteer rota"},
        ["Needs list the food bank updates", "Pledge items", "Drop-off times", "Volunteer rota"], style="round bullets"),
    Founder(
        "StudySprint", "Students keep each other on track with study sprints.", "University students",
        {"scope": "Create a study group; start a 25 minute sprint; see who is studying now; weekly streaks"},
        ["Create a study group", "Start a 25 minute sprint", "See who is studying now", "Weekly streaks"],
        style="semicolons"),
    Founder(
        "PetVax", "Pet owners keep vaccination records and get reminders.", "Pet owners",
        {"scope": "Users can add their pets and users can record vaccinations, and they get reminders before "
                  "the next one is due",
         "success": "1000 pets added in 3 months"},
        ["Add their pets", "Record vaccinations", "Get reminders before the next one is due"], metrics_has=("1000 pets",),
        style="and-joined clauses"),
    Founder(
        "Hostel Hub", "Small hostels take bookings without the big platforms' fees.", "Independent hostel owners",
        {"scope": "MUST: room availability calendar, online booking, deposit payment\nNICE TO HAVE: guest reviews",
         "monetisation": "A flat monthly fee of 29 pounds per hostel."},
        ["Room availability calendar", "Online booking", "Deposit payment", "Guest reviews"],
        style="headed groups"),
    Founder(
        "ClinicQ", "Patients join a clinic's queue from their phone.", "Small walk-in clinics",
        {"scope": "1. Patients join the queue from a link\n2. They see their place in the queue\n"
                  "3. The clinic calls the next patient\n4. Texts when it's nearly their turn"},
        ["Join the queue from a link", "See their place in the queue", "Call the next patient",
         "Texts when it's nearly their turn"], style="numbered with subjects"),
    Founder(
        "Toolshed", "Neighbours borrow tools instead of buying them.", "Homeowners in a suburb",
        {"scope": "I'd like people to be able to list tools they are happy to lend, and others can borrow them "
                  "for a few days. There should be a deposit. And a rating after each loan."},
        ["List tools they are happy to lend", "Borrow them for a few days", "Deposit", "Rating after each loan"],
        style="wordy sentences"),
    Founder(
        "Lingo", "Language learners find conversation partners.", "Adults learning a language",
        {"scope": "matching by language and level\nvideo call scheduling\nconversation topics\nprogress tracking",
         "users": "Adults learning Spanish or French, 25-45, who have done Duolingo and want to speak.",
         "first_hundred": "Reddit language subreddits and meetups."},
        ["Matching by language and level", "Video call scheduling", "Conversation topics", "Progress tracking"],
        users_has=("Duolingo",), users_lacks=("Reddit",), style="noun phrases per line"),
    Founder(
        "EventCrew", "Volunteers sign up for shifts at community events.", "Event organisers",
        {"scope": "- organisers create events with shifts\n  - each shift has a time and a number of people\n"
                  "- volunteers pick a shift\n- reminders the day before"},
        ["Create events with shifts", "Pick a shift", "Reminders the day before"], style="nested bullets"),
    Founder(
        "Homework Helper", "Parents see what homework is due this week.", "Parents of primary school children",
        {"scope": "A weekly homework list per child, teachers post homework, parents tick it off, and a reminder "
                  "on Sunday evening."},
        ["Weekly homework list per child", "Post homework", "Parents tick it off", "Reminder on Sunday evening"],
        style="comma list with subjects"),
    Founder(
        "Rideshare School", "Parents share the school run.", "Parents at one school",
        {"scope": "The app should let parents offer seats in their car, let other parents request a seat, and show "
                  "a weekly schedule of who drives when."},
        ["Offer seats in their car", "Request a seat", "Show a weekly schedule of who drives when"],
        style="let-clauses"),
    Founder(
        "Bakesale", "Home bakers take pre-orders for the weekend.", "Home bakers",
        {"scope": "Menu of this weekend's bakes\nCustomers pre-order and pick a collection time\nOrder list for the baker",
         "success": "- 30 orders a weekend\n- 5 bakers signed up"},
        ["Menu of this weekend's bakes", "Pre-order and pick a collection time", "Order list for the baker"],
        metrics_has=("30 orders", "5 bakers"), style="mixed subjects"),
    Founder(
        "Chorely", "Housemates share chores fairly.", "People in shared houses",
        {"scope": "chores list. who does what this week. points for each chore done. a monthly summary."},
        ["Chores list", "Who does what this week", "Points for each chore done", "Monthly summary"],
        style="short sentences"),
    Founder(
        "Gardenly", "Gardeners plan what to plant each month.", "Amateur gardeners",
        {"scope": "Planting calendar for my region, a list of what I've planted, and reminders to sow and harvest",
         "users": "Retired people with a garden and new gardeners who don't know when to plant."},
        ["Planting calendar for my region", "List of what I've planted", "Reminders to sow and harvest"],
        users_has=("Retired",), style="first person comma list"),
    Founder(
        "Squad Fit", "Friends keep each other accountable for workouts.", "Friends who work out",
        {"scope": "log a workout, see your friends workouts, weekly challenges, cheer each other on"},
        ["Log a workout", "See your friends workouts", "Weekly challenges", "Cheer each other on"],
        style="verbs lowercase"),
    Founder(
        "Repair Café", "Volunteers fix broken things at monthly repair events.", "Repair café organisers",
        {"scope": "We need:\nbooking a repair slot\na description and photo of the broken item\n"
                  "fixers see the list of items before the event\nrecord whether it was fixed"},
        ["Booking a repair slot", "Description and photo of the broken item", "See the list of items before the event",
         "Record whether it was fixed"], style="heading line then items"),
    Founder(
        "Quiet Desk", "Remote workers book quiet desks in local cafés.", "Remote workers",
        {"scope": "Cafés list quiet desks and their hours. Workers search desks near them and book an hour or a "
                  "day. Workers pay in the app. Cafés see their bookings.",
         "first_hundred": "Coworking Slack groups.", "users": "Remote workers in Bristol who are tired of working "
                                                              "from their kitchen table."},
        ["List quiet desks and their hours", "Search desks near them", "Book an hour or a day", "Pay in the app", "See their bookings"],
        users_has=("Bristol",), users_lacks=("Slack",), style="subject sentences"),
]
