"""Roles of the URL matrix and the expected statuses shared by its rows."""

ROLES = ["anon", "outsider", "official", "sec_a", "cadre_a", "head_a", "sec_b", "superuser"]

LOGIN = 302  # anonymous users are sent to the login page


def _all(status, anon=LOGIN):
    return dict.fromkeys(ROLES, status) | {"anon": anon}


# Rows on side A's records. "read" rows: who may see; "write" rows: who may change.
# side A's ``building`` is headed by head_a and lies outside cadre_a's section;
# ``section_building`` lies inside cadre_a's section.
READ_HEAD_BUILDING = {
    "anon": LOGIN,
    "outsider": 404,
    "official": 200,
    "sec_a": 200,
    "cadre_a": 404,
    "head_a": 200,
    "sec_b": 404,
    "superuser": 200,
}
WRITE_HEAD_BUILDING = {
    "anon": LOGIN,
    "outsider": 404,
    "official": 403,
    "sec_a": 200,
    "cadre_a": 404,
    "head_a": 403,
    "sec_b": 404,
    "superuser": 200,
}
WRITE_SECTION_BUILDING = {
    "anon": LOGIN,
    "outsider": 404,
    "official": 403,
    "sec_a": 200,
    "cadre_a": 200,
    "head_a": 404,
    "sec_b": 404,
    "superuser": 200,
}
READ_COMMUNITY = {
    "anon": LOGIN,
    "outsider": 404,
    "official": 200,
    "sec_a": 200,
    "cadre_a": 200,
    "head_a": 200,
    "sec_b": 404,
    "superuser": 200,
}
WRITE_COMMUNITY = {
    "anon": LOGIN,
    "outsider": 404,
    "official": 403,
    "sec_a": 200,
    "cadre_a": 403,
    "head_a": 403,
    "sec_b": 404,
    "superuser": 200,
}

# Corridor editors: the secretary, the section's cadre and the building's head.
WRITE_CORRIDOR = {
    "anon": LOGIN,
    "outsider": 404,
    "official": 403,
    "sec_a": 200,
    "cadre_a": 404,
    "head_a": 200,
    "sec_b": 404,
    "superuser": 200,
}
POST_ONLY = _all(405, anon=405)
