"""Reference data every part of the system shares: the city's areas."""
