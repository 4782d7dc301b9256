"""Corridors and their exhibits (calligraphy, paintings, plaques, posters).

The models arrive with the exhibits feature; the app exists now so that the
dependency direction exhibits -> buildings -> communities is fixed from the start.
"""
