from qualicall.cli import main

main()
