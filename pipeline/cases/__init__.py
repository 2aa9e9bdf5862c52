"""Cases: linking responses to requests, regulatory clock evaluation, and case actions."""
