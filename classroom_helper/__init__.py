"""The live room: technical issues to the room manager, content questions to the trainer."""
