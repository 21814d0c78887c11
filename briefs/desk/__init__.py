"""The issue desk: one page per issue where each role does its part, reading the issue as it will
be printed (views, selectors, forms and the comment services live here)."""
