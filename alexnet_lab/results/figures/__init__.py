"""The report's figures: training curves, final errors, lr sensitivity, paper vs measured."""
