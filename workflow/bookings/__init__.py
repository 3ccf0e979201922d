"""Bulky-waste (粗大ごみ) bookings: catalogue, fees, calendar, booking, changes, reminders."""
