"""Query budgets per page, in one place.

A page's budget counts every SQL query of the request, session and user included.
Lists stay within 8 and detail pages within 10, whatever the number of rows.
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
}
