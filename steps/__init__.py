"""The SecureCart step library: pytest-bdd steps in business words, over the running harness.

    steps.plugin    the pytest plugin: options, .feature collection, markers from tags, the
                    Stack fixture, scenario isolation, the decision log
    steps.catalog   how steps are declared (one readable pattern each) and docs/steps.md
    steps.world     the scenario's state: the stack, who acts, the last outcome
    steps.personas  who acts: people signed in through the IdP, workloads, the vendor, roots
    steps.calls     making an AWS call as the actor and capturing what AWS answered
    steps.outcomes  what an answer means: allowed, denied (and by which policy), refused
    steps.given / steps.when / steps.then   the step definitions
"""
