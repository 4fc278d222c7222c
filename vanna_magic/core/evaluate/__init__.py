"""How well the engine answers a team's own questions: the execution match (:mod:`.scorer`), the
leave-one-out run over a knowledge base (:mod:`.leave_one_out`) and its report (:mod:`.report`)."""
