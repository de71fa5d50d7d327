from martechgate.cli import main

main()
