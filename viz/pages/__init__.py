"""The app's pages: Compare, The long game, Audience, Strategy builder."""
