from martechgate.cli import main

# Guarded: worker processes started by "spawn" (macOS, Windows) import this module again.
if __name__ == "__main__":
    main()
