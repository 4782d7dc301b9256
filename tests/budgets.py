"""Query budgets per page, in one place, and the URLs that need none.

A page's budget counts every SQL query of the request, session and user included.
Lists stay within 8, detail pages and forms within 10, whatever the number of rows;
files (spreadsheets, the .docx report) and dashboards have their own budget, with the
reason. Every named URL is either in ``BUDGETS`` or in ``EXEMPT``
(tests/test_query_budgets.py checks it).
"""

BUDGETS = {
    "portal:community_list": 8,
    "portal:community_detail": 10,
    "buildings:building_list": 8,
    "buildings:building_detail": 10,
    "buildings:unit_detail": 10,
    "buildings:household_list": 8,
    "buildings:household_detail": 10,
    "buildings:resident_list": 8,
    "buildings:resident_detail": 10,
    "exhibits:corridor_list": 8,
    "exhibits:corridor_detail": 10,
    "exhibits:exhibit_list": 8,
    "exhibits:exhibit_detail": 10,
    "exhibits:check_queue": 8,
    "exhibits:review_queue": 8,
    "exhibits:public_gallery": 6,
    "buildings:fund_list": 8,
    "buildings:fund_detail": 10,
    "buildings:fund_notice": 10,
    "buildings:roster_list": 8,
    "buildings:roster_detail": 10,
    "buildings:roster_sheet": 10,
    "engagement:campaign_list": 8,
    "engagement:campaign_detail": 10,
    "engagement:suggestion_list": 8,
    "engagement:suggestion_detail": 10,
    "engagement:symposium_list": 8,
    "engagement:symposium_detail": 10,
    "engagement:poll_list": 8,
    "engagement:poll_detail": 10,
    "engagement:visit_list": 8,
    "engagement:visit_detail": 10,
    "engagement:problem_list": 8,
    # Dashboards and the report: one query per figure's source table, whatever the size.
    "dashboard:district": 20,
    "dashboard:community": 20,
    "dashboard:building": 20,
    "dashboard:report": 20,
    # The home page (a user without a role), the account pages and the health check
    "home": 10,
    "login": 10,
    "password_change": 10,
    "password_change_done": 10,
    # The health check runs its own SELECT 1 and nothing else: no session, no user.
    "healthz": 1,
    # Community forms
    "communities:community_update": 10,
    "communities:section_create": 10,
    "communities:section_update": 10,
    "communities:leading_group": 10,
    # Building, unit, household and resident forms
    "buildings:building_create": 10,
    "buildings:building_update": 10,
    "buildings:unit_create": 10,
    "buildings:unit_update": 10,
    "buildings:household_create": 10,
    "buildings:household_update": 10,
    "buildings:resident_create": 10,
    "buildings:resident_update": 10,
    "buildings:roster_import": 10,
    # The roster as .xlsx: session, user, memberships, the community, then households,
    # their residents and the residents' tags (read in chunks of 1,000 households: three
    # more queries per further 1,000), and one to spare.
    "buildings:roster_export": 8,
    # Funds
    "buildings:fund_create": 10,
    "buildings:fund_update": 10,
    "buildings:donation_import": 10,
    "buildings:donation_create": 10,
    "buildings:expense_create": 10,
    "buildings:expense_receipt": 10,
    # A fund's ledger as .xlsx: session, user, memberships, the fund (the view's scope
    # check and the export's own), its donations, its expenses and the totals (two sums),
    # and one to spare.
    "buildings:fund_export": 10,
    # A community's funds as .xlsx: session, user, memberships, the community and the
    # funds with their sums as subqueries of one query, and one to spare.
    "buildings:community_funds_export": 6,
    # Duty rosters
    "buildings:roster_create": 10,
    "buildings:roster_order": 10,
    "buildings:shift_swap": 10,
    # Corridors and exhibits
    "exhibits:corridor_create": 10,
    "exhibits:corridor_update": 10,
    "exhibits:corridor_poster": 10,
    "exhibits:pair_create": 10,
    "exhibits:pair_photo": 10,
    "exhibits:exhibit_create": 10,
    "exhibits:exhibit_update": 10,
    "exhibits:exhibit_move": 10,
    "exhibits:photo": 10,
    # Engagement forms
    "engagement:campaign_create": 10,
    "engagement:campaign_update": 10,
    "engagement:suggestion_create": 10,
    "engagement:suggestion_update": 10,
    "engagement:suggestion_answer": 10,
    "engagement:symposium_create": 10,
    "engagement:symposium_update": 10,
    "engagement:poll_create": 10,
    "engagement:poll_count": 10,
    "engagement:visit_create": 10,
    "engagement:visit_update": 10,
    "engagement:problem_create": 10,
    "engagement:problem_close": 10,
    # The district dashboard's table as .xlsx: the dashboard's figures without its trends
    # or charts (session, user, memberships, the communities, one grouped query per
    # figure's source table), and two to spare.
    "dashboard:export": 15,
    # The report as .docx: the same figures, visitors and named examples as the report
    # page (one query per source table, whatever the size).
    "dashboard:report_docx": 20,
    # Personal data (tests/privacy). The audit log reads each of its ten history tables
    # once (newest first, one page) and, for the tables shown, the versions just before
    # the rows listed (to say what changed): at most 20, plus the session, the user, the
    # memberships and an official's communities.
    "privacy:audit_log": 26,
    "privacy:access_log": 8,
    # A resident's export: the resident with tags, the access-log write, then one query
    # per kind of record held (donations given, raised and of the household, funds led,
    # the household's duty turns, exhibits, suggestions, history, access log).
    "privacy:resident_export": 16,
    "privacy:resident_erase": 10,
}

# Named URLs without a page to count: they only redirect or only accept POST.
EXEMPT = {
    "logout": "POST only: a GET is refused (405)",
    "set_language": "redirects: it sets the language from a POST and sends the user back",
    "exhibits:unit_corridor": "redirects to the unit's corridor or to the form that starts it",
    "exhibits:corridor_certify": "POST only",
    "exhibits:corridor_withdraw": "POST only",
    "exhibits:exhibit_transition": "POST only",
    "buildings:roster_import_confirm": "POST only: applies an upload the preview kept",
    "buildings:donation_import_confirm": "POST only: records an upload the preview kept",
    "buildings:donation_reverse": "POST only",
    "buildings:expense_reverse": "POST only",
    "buildings:shift_mark": "POST only",
    "engagement:poll_close": "POST only",
}
