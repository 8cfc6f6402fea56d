package dynamodb

func (s *Service) ttlLoop() {
	defer s.wg.Done()
	<-s.stop
}
