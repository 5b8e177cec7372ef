"""What the original's board client reads on every page before it shows anything: the adapters it
may offer, instance settings, sidebar badges and preferences, plugin UI contributions,
announcements, the company's user directory (issue 14)."""
